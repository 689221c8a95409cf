"""The work on communiqués' texts: proposing commitments from one (`extract`), and writing the
static site, swapped in whole (`site`)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from aes_tracker.api.base import Base
from aes_tracker.errors import TrackerError
from aes_tracker.i18n import _

if TYPE_CHECKING:
    from aes_tracker.domain.model import Source
    from aes_tracker.extract.propose import Proposal


class Proposed(NamedTuple):
    """What `extract` proposes from a source's text: the source, its text, whether the text is
    new (given as a file for a source that had none: stored when proposals are added), the
    proposals, the known parties and the IDs taken."""

    sid: str
    text: str
    new_text: bool
    proposals: list[Proposal]
    known: list[str]
    taken: list[str]


class SiteData(NamedTuple):
    """What the static site is built from: the catalog, the details, today, the data file's git
    revision, each source's stored text, and the data file's folder (evidence files)."""

    catalog: Any
    details: Any
    today: Any
    revision: str
    texts: dict[str, str]
    base: Path


class Texts(Base):
    def propose(self, given: str, source_opt: str | None) -> Proposed:
        """Commitments proposed from the text of a source (`given`, its stored text) or of a
        file (`given`, with `source_opt` naming its source)."""
        from aes_tracker.extract.propose import Existing, propose, source_parties

        v = self.view()
        sid, text, name, new_text = self._source_and_text(given, source_opt)
        cat = v.catalog
        mine = [cid for cid, c in cat.commitments.items() if c.source == sid]
        existing = []
        for cid in mine:
            c = v.detail(cid)
            existing.append(Existing(cid, c.quote, c.title, c.title_fr))
        used = [p for cid in mine for p in cat.commitments[cid].parties]
        proposals = propose(
            text,
            name=name,
            known=cat.parties,
            everyone=source_parties(cat.parties, cat.groups, used),
            existing=existing,
            taken=list(cat.commitments),
            source_day=cat.sources[sid].date,
            today=self.today,
        )
        return Proposed(sid, text, new_text, proposals, list(cat.parties), list(cat.commitments))

    def _source_and_text(self, given: str, source_opt: str | None) -> tuple[str, str, str, bool]:
        """The source ID, its text, the text's name (for its format) and whether the text is new
        (given as a file, for a source that has none stored)."""
        from aes_tracker.store.fileread import read_file
        from aes_tracker.store.texts import decode_text, read_text

        v = self.view()
        sources = v.catalog.sources
        if source_opt is not None:
            if source_opt not in sources:
                raise TrackerError(_("no source {id}").format(id=source_opt), field="source")
            path = Path(given)
            text = decode_text(read_file(path), given)
            return source_opt, text, path.name, not sources[source_opt].text
        if given in sources:
            source = sources[given]
            text, found = read_text(v.path, source)
            return given, text, found.name, False
        if Path(given).is_file():
            raise TrackerError(
                _("{file}: say which source it is the text of, with --source ID").format(
                    file=given
                ),
                hint=_(
                    "register the communiqué first: aes-tracker source add ID --title ... "
                    "--date ..."
                ),
            )
        raise TrackerError(_("no source {id}").format(id=given))

    # ---- walking the proposals (in a terminal) ---------------------------------------------------

    def editable(self) -> tuple[str, ...]:
        """The fields of a proposal an analyst may edit before accepting it."""
        from aes_tracker.extract.accept import EDITABLE

        return tuple(EDITABLE)

    def edit_proposal(self, p: Proposal, field: str, value: str, known: Sequence[str]) -> Proposal:
        from aes_tracker.extract.accept import edit_proposal

        return edit_proposal(p, field, value, self.today, known)

    def split_proposal(
        self, p: Proposal, at: str, taken: Sequence[str]
    ) -> tuple[Proposal, Proposal]:
        from aes_tracker.extract.accept import split_proposal

        return split_proposal(p, at, taken)

    def merge_proposals(self, a: Proposal, b: Proposal, stored: str) -> Proposal:
        from aes_tracker.extract.accept import merge_proposals

        return merge_proposals(a, b, stored)

    # ---- the static site -------------------------------------------------------------------------

    def site_data(self) -> SiteData:
        v = self.view()
        data = Path(os.path.realpath(v.path))
        texts = _source_texts(v.catalog.sources.values(), data)
        return SiteData(v.catalog, v.details, self.today, self._revision(data), texts, data.parent)

    def check_site_folder(self, folder: Path, marker: str) -> Path:
        """The site's folder, absolute; refused when it is not a site this command built (it
        holds no `marker` file: replacing it would delete files someone else put there), or
        when it holds the data file."""
        data = Path(os.path.realpath(self.view().path))
        target = Path(os.path.abspath(folder))
        shown = str(target)
        if target == data.parent or target in data.parents:
            raise TrackerError(
                _("holds the data file; choose a folder of its own for the site"),
                path=shown,
                field="folder",
            )
        if target.exists() and not target.is_dir():
            raise TrackerError(_("exists and is not a folder"), path=shown, field="folder")
        if target.is_dir() and any(target.iterdir()) and not (target / marker).is_file():
            raise TrackerError(
                _("is a folder that `aes-tracker site` did not build; nothing was written"),
                path=shown,
                hint=_("give a new or empty folder: the site replaces its folder whole"),
                field="folder",
            )
        if not target.parent.is_dir():
            raise TrackerError(_("no such folder"), path=str(target.parent), field="folder")
        return target

    def write_site(
        self, target: Path, pages: Mapping[str, bytes], copies: Mapping[str, Path]
    ) -> None:
        """Write the site in a temporary folder beside `target` and swap it in, so a web server
        or a reader never sees half a site."""
        import shutil
        import tempfile

        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".new", dir=target.parent))
        try:
            for rel, content in pages.items():
                out = tmp / rel
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(content)
            for rel, src in copies.items():
                out = tmp / rel
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, out)
            os.chmod(tmp, 0o755)  # mkdtemp's 0700 would hide the site from a web server
            old = None
            if target.exists():
                old = Path(
                    tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent)
                )
                os.rename(target, old / "site")
            os.rename(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def _revision(self, data: Path) -> str:
        """The data file's git revision (the last commit that touched it), "" outside git."""
        from aes_tracker.desk import gitops

        try:
            repo = gitops.find(data, self.environ)
            if repo is None:
                return ""
            env = gitops.git_env(self.environ)
            p = gitops.run(repo.top, ["log", "-1", "--format=%h", "--", repo.rel], env, check=False)
            rev = p.stdout.strip()
            if rev:
                dirty = gitops.run(
                    repo.top, ["status", "--porcelain", "--", repo.rel], env, check=False
                ).stdout.strip()
                if dirty:
                    rev += " " + _("(with changes not yet committed)")
            return rev
        except TrackerError:
            return ""


def _source_texts(sources: Iterable[Source], data: Path) -> dict[str, str]:
    """Each source's stored text, where it has one, read as `source show` reads it (beside the
    data file, else the bundled copy: store.texts)."""
    from aes_tracker.store.texts import read_text

    return {src.id: read_text(data, src)[0] for src in sources if src.text}
