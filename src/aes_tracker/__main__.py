"""The `aes-tracker` command. `aes-tracker --version` is answered here, before Typer and the two
dozen commands are imported and built (what `cli.base._version` prints, the same way); anything
else goes to the app."""

import contextlib
import os
import sys


def main() -> None:
    if sys.argv[1:] == ["--version"] and not _needs_app():
        from aes_tracker import __version__

        try:
            sys.stdout.write(f"aes-tracker {__version__}\n")
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader left (`| head`): not a failure (as cli/ending.py has it).
            with contextlib.suppress(OSError, ValueError, AttributeError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    from aes_tracker.cli import main as run

    run()


def _needs_app() -> bool:
    """The app answers `--version` with an error when $AES_TRACKER_LANG names no language, and
    shell completion is the app's; then it is the app's to answer."""
    from aes_tracker.store.paths import environment  # the one place it is read

    environ = environment()
    return bool(environ.get("AES_TRACKER_LANG", "").strip()) or any(
        k.startswith("_AES_TRACKER_COMPLETE") for k in environ
    )


if __name__ == "__main__":
    main()
