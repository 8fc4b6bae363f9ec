"""Linked-data pages show the stored verdicts and disagreements (issue 13)."""

from __future__ import annotations

from .conftest import Client

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_a_finding_has_a_page_with_its_verdict_and_claim(client: Client) -> None:
    response = client.get("/id/finding/makeeva-2023-trend-2000s-central", headers=HTML)
    assert response.status_code == 200
    page = response.text
    assert "contradicted" in page.lower()
    assert "Central region" in page  # the claim in words


def test_a_sources_page_lists_its_findings(client: Client) -> None:
    response = client.get("/source/makeeva-2023", headers=HTML)
    assert response.status_code == 200
    assert "/id/finding/makeeva-2023-trend-2000s-central" in response.text


def test_a_ties_page_flags_the_disagreement_of_its_sources(client: Client) -> None:
    response = client.get("/id/tie/cn-hangzhou--ru-kazan", headers=HTML)
    assert response.status_code == 200
    page = response.text
    assert "/id/disagreement/cn-hangzhou--ru-kazan-" in page
    assert "2002" in page and "2003-10-16" in page
