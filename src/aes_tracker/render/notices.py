"""What a change says on stderr beside its own line: the user data file created from the
bundled data, the data file of this folder changed (not one named with --file), a commit in git
that did not happen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aes_tracker.i18n import _

if TYPE_CHECKING:
    from aes_tracker.errors import TrackerError
    from aes_tracker.store.transaction import Written


def created(written: Written) -> str:
    """The user data file made from the bundled data by this change ("" when it was not)."""
    if not written.created:
        return ""
    return _("aes-tracker: created {path} from the bundled data").format(path=written.path) + "\n"


def folder_changed(written: Written, by_folder: bool) -> str:
    """The data file of the folder the command ran in changed, chosen without --file ("" when
    not)."""
    if not (written.changed and by_folder):
        return ""
    return (
        _(
            "aes-tracker: changed {path}, the data file of this folder (--file names another)"
        ).format(path=written.path)
        + "\n"
    )


def not_committed(reason: TrackerError) -> str:
    """A commit in git that failed: the change stays (its hint follows, on its own line)."""
    return _("warning: not committed in git: {reason}").format(reason=reason) + "\n"
