from revops_assets.cli import main

raise SystemExit(main())
