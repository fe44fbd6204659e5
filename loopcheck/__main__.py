"""`python -m loopcheck` runs the command-line interface."""
from loopcheck.cli import main

if __name__ == "__main__":
    main()
