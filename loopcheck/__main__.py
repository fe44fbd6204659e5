"""`python -m loopcheck` runs the command-line interface (`loopcheck.entry`)."""
from loopcheck.entry import main

if __name__ == "__main__":
    main()
