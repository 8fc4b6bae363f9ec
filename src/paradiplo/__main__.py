"""Allow ``python -m paradiplo`` where the console script is not on PATH."""

from paradiplo.cli import main

if __name__ == "__main__":
    main()
