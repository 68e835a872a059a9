import VBQLab
import VBQLabCLI

// GSL's default error handler aborts the process: switch it off before anything can call GSL.
GSL.configure()
VBQLabCommand.runCommandLine()
