from kindred.cli.main import main

raise SystemExit(main())
