"""One module per subcommand, discovered automatically: each defines NAME, HELP, add_arguments(parser) and run(args) -> int."""
