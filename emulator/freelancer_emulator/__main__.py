from freelancer_emulator.cli import main

raise SystemExit(main())
