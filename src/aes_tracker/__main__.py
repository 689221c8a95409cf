from aes_tracker.cli import main

main()
