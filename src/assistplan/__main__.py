"""`python -m assistplan`: the same as the `assistplan` console script."""

from assistplan.cli import main

if __name__ == "__main__":
    main()
