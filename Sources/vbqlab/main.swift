import VBQLabCLI
VBQLabCommand.main()
