import sys

from synthaug.cli import main

sys.exit(main())
