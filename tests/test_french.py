"""French all the way (issue 24): what the tool wrote into the history is put into words when
it is shown, in the reader's language, whatever the language of the session that wrote it."""

from __future__ import annotations

from pathlib import Path

from .conftest import Cli

AS_OF = "2026-11-28"


def _changed(datafile: Path) -> Cli:
    """The bundled data after an English session set a status and moved a date."""
    cli = Cli(datafile)
    on = ("--on", "2026-11-27")
    assert cli("status", "sec-targeted-training", "in_progress", *on).exit_code == 0
    assert cli("edit", "sec-technical-assistance", "--review", "2027-01-15").exit_code == 0
    return cli


def test_changes_read_in_french_in_show_log_and_report(datafile: Path) -> None:
    cli = _changed(datafile)
    outputs = {
        "log": cli("--lang", "fr", "--width", "250", "log"),
        "show": cli("--lang", "fr", "--width", "250", "show", "sec-technical-assistance"),
        "report": cli("--lang", "fr", "--width", "250", "report", "--since", "7d"),
        "report md": cli("--lang", "fr", "report", "--since", "7d", "--format", "markdown"),
        "report html": cli("--lang", "fr", "report", "--since", "7d", "--format", "html"),
    }
    for name, r in outputs.items():
        assert r.exit_code == 0, (name, r.output)
        assert "status: " not in r.stdout, name
        assert "in_progress" not in r.stdout, name
        assert "review: " not in r.stdout, name
    for name in ("log", "report", "report md", "report html"):
        assert "statut : en attente → en cours" in outputs[name].stdout, name
    for name in ("log", "show", "report", "report md"):
        assert "réexamen : 3 avril 2026 → 15 janvier 2027" in outputs[name].stdout, name


def test_changes_stay_as_written_in_english_and_in_machine_formats(datafile: Path) -> None:
    cli = _changed(datafile)
    log = cli("--width", "250", "log")
    assert "[status: pending → in_progress]" in log.stdout
    assert "[review: 2026-04-03 → 2027-01-15]" in log.stdout
    plain = cli("--lang", "fr", "log", "--format", "plain")
    assert "[status: pending → in_progress]" in plain.stdout
    assert plain.stdout == cli("log", "--format", "plain").stdout


def test_notes_the_tool_writes_are_stored_in_english_and_read_in_french(datafile: Path) -> None:
    """A confirmation recorded by a French session is stored as an English one is (the data file
    does not depend on who wrote it) and reads in the reader's language."""
    cli = Cli(datafile)
    argv = ("status", "sec-targeted-training", "pending", "--on", "2026-11-27")
    assert cli("--lang", "fr", *argv).exit_code == 0
    assert 'note = "status confirmed as pending"' in datafile.read_text(encoding="utf-8")
    log = cli("--lang", "fr", "--width", "250", "log", "sec-targeted-training")
    assert "statut confirmé : en attente" in log.stdout
    assert "status confirmed as" not in log.stdout
    show = cli("--lang", "fr", "--width", "250", "show", "sec-targeted-training")
    assert "statut confirmé : en attente" in show.stdout
    report = cli("--lang", "fr", "--width", "250", "report", "--since", "7d")
    assert "statut confirmé : en attente" in report.stdout
    html = cli("--lang", "fr", "report", "--since", "7d", "--format", "html")
    assert "statut confirmé : en attente" in html.stdout
    assert "status confirmed as pending" in cli("--width", "250", "log").stdout


def test_success_lines_in_french(datafile: Path) -> None:
    cli = Cli(datafile)
    r = cli("--lang", "fr", "status", "sec-targeted-training", "in_progress", "--on", "2026-11-27")
    assert r.stdout == "sec-targeted-training : en attente → en cours\n"
    r = cli("--lang", "fr", "edit", "sec-technical-assistance", "--review", "2027-01-15")
    assert r.stdout == "sec-technical-assistance : réexamen : 3 avril 2026 → 15 janvier 2027\n"
    r = cli("edit", "sec-technical-assistance", "--review", "2027-01-16")
    assert r.stdout == "sec-technical-assistance: review: 2027-01-15 → 2027-01-16\n"


def test_statuses_and_categories_typed_in_french_are_accepted(datafile: Path) -> None:
    cli = Cli(datafile)
    fr = ("--lang", "fr")
    r = cli(*fr, "status", "sec-targeted-training", "en cours", "--on", "2026-11-27")
    assert r.exit_code == 0, r.output
    assert 'status = "in_progress"' in datafile.read_text(encoding="utf-8")
    listed = cli(*fr, "list", "--status", "En cours", "--format", "plain")
    assert listed.exit_code == 0, listed.output
    assert [ln.split("\t")[0] for ln in listed.stdout.splitlines()] == ["sec-targeted-training"]
    security = cli(*fr, "list", "--category", "sécurité", "--format", "plain").stdout
    assert security == cli("list", "--category", "security", "--format", "plain").stdout
    assert cli(*fr, "list", "--category", "securite", "--format", "plain").stdout == security
    r = cli(*fr, "edit", "sec-targeted-training", "--category", "diplomatie")
    assert r.exit_code == 0, r.output
    assert 'category = "diplomacy"' in datafile.read_text(encoding="utf-8")
    bad = cli(*fr, "list", "--status", "fini")
    assert bad.exit_code != 0 and bad.stderr.startswith("error: ")


def test_names_have_their_french_form_from_the_data_file(datafile: Path) -> None:
    cli = Cli(datafile)
    assert 'Russia = "Russie"' in datafile.read_text(encoding="utf-8")
    fr = ("--lang", "fr", "--width", "250")
    show = cli(*fr, "show", "inst-annual-consultations").stdout
    assert "Russie" in show and "État membre de l’AES" in show
    # Only the English title, which `show` gives under the French one, still says Russia.
    assert [ln for ln in show.splitlines() if "Russia" in ln and "ministers" not in ln] == []
    listed = cli(*fr, "list").stdout
    assert "AES, Russie" in listed and "Russia" not in listed
    report = cli(*fr, "report").stdout
    assert "pays hôte prévu : État membre de l’AES" in report
    html = cli("--lang", "fr", "report", "--format", "html").stdout
    assert "AES, Russie" in html and ">Russia<" not in html
    # English and the machine formats keep the names as the file has them.
    assert "AES, Russia" in cli("--width", "250", "list").stdout
    assert cli(*fr, "list", "--format", "json").stdout == cli("list", "--format", "json").stdout


def test_names_fr_is_checked(datafile: Path) -> None:
    text = datafile.read_text(encoding="utf-8")
    datafile.write_text(text.replace('Russia = "Russie"', "Russia = 3"), encoding="utf-8")
    r = Cli(datafile)("check")
    assert r.exit_code != 0
    assert "names_fr.Russia" in r.stderr + r.stdout


def test_usage_and_hint_are_translated_error_stays_the_marker(datafile: Path) -> None:
    cli = Cli(datafile)
    r = cli("--lang", "fr", "show", "sec-targeted-trainnig")
    assert r.exit_code != 0
    assert r.stderr.splitlines()[0].startswith("error: ")
    assert r.stderr.splitlines()[1].startswith("conseil : ")
    assert "hint:" not in r.stderr
    assert cli("show", "sec-targeted-trainnig").stderr.splitlines()[1].startswith("hint: ")
    help_fr = cli("--lang", "fr", "list", "--help").stdout
    assert "Utilisation : aes-tracker list" in help_fr and "Usage:" not in help_fr
    assert "Usage: aes-tracker list" in cli("list", "--help").stdout


def test_french_prose_has_its_colon_and_no_iso_date(datafile: Path) -> None:
    cli = _changed(datafile)
    fr = ("--lang", "fr", "--width", "250")
    log = cli(*fr, "log").stdout
    assert "(antidaté : enregistré le 28 novembre 2026)" in log
    report = cli("--lang", "fr", "report", "--since", "7d", "--format", "markdown").stdout
    assert "`sec-targeted-training` : `statut`" in report
    assert "`sec-targeted-training`: " not in report
    assert "(recorded 2026-11-28)" in cli("--width", "250", "log").stdout.replace("backdated: ", "")


def test_undo_says_what_it_undid_in_the_readers_language(datafile: Path) -> None:
    cli = Cli(datafile)
    on = ("--on", "2026-11-27")
    assert cli("status", "sec-targeted-training", "in_progress", *on).exit_code == 0
    r = cli("--lang", "fr", "undo")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == (
        "annulé : statut sec-targeted-training : en attente → en cours"
        " (27 novembre 2026, par tester)"
    )
    assert cli("--lang", "fr", "status", "sec-targeted-training", "en cours", *on).exit_code == 0
    r = cli("undo")
    assert r.stdout.splitlines()[0] == (
        "undid: status sec-targeted-training pending → in_progress (2026-11-27, by tester)"
    )


def test_source_list_markdown_has_french_headers(datafile: Path) -> None:
    cli = Cli(datafile)
    head = cli("--lang", "fr", "source", "list", "--format", "markdown").stdout.splitlines()[0]
    assert head == "| ID | Date | Lieu | Titre | Engagements |"
    english = cli("source", "list", "--format", "markdown").stdout.splitlines()[0]
    assert english == "| ID | Date | Place | Title | Commitments |"


def test_the_semicolon_takes_its_space_in_french(cli: Cli) -> None:
    """French typography: « ; » with a space before it, as the colon has (issue 24)."""
    fr = cli("--lang", "fr", "report").stdout
    assert "[en attente ; AES, Russie]" in fr, fr
    en = cli("report").stdout
    assert "[pending; AES, Russia]" in en, en
