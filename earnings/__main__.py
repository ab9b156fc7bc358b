import sys

from earnings.cli import main

sys.exit(main())
