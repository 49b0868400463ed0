"""``python -m netopt.supply INSTANCE_FOLDER``: regenerate the supply-side tables of an instance."""

from netopt.supply.write import main

raise SystemExit(main())
