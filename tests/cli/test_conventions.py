"""What every command shares: help on each option, one error style, the exit codes, the
former option names still accepted, nothing overwritten by surprise."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from xbsec.cli.app import cli
from xbsec.cli.options import RenamedOption


def commands(group: click.Group = cli, path: tuple[str, ...] = ("xbsec",)) -> Iterator[
        tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name), command


COMMANDS = list(commands())


def test_the_walk_sees_every_command() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"xbsec keys new", "xbsec sandbox keys renew", "xbsec oauth2 status",
            "xbsec doctor", "xbsec request", "xbsec explain"} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_and_option_has_help(path: tuple[str, ...],
                                           command: click.Command) -> None:
    assert command.help, f"{' '.join(path)} has no help"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{' '.join(path)} {param.opts[0]} has no help"


def test_the_exit_codes_are_in_the_help() -> None:
    shown = CliRunner().invoke(cli, ["--help"]).output
    assert "Exit status: 0 done; 1 refused" in shown
    assert "3 a warning" in shown


@pytest.mark.parametrize(("command", "new", "old"), [
    (["keys", "new"], "--cert-out", "--cert"),
    (["verify"], "--signing-cert", "--cert"),
    (["explain"], "--signing-cert", "--cert"),
    (["encrypt"], "--encryption-cert", "--cert"),
    (["encrypt"], "--body-file", "--in"),
    (["decrypt"], "--body-file", "--in"),
])
def test_a_former_option_name_works_but_is_not_shown(command: list[str], new: str,
                                                     old: str) -> None:
    shown = CliRunner().invoke(cli, [*command, "--help"]).output
    assert new in shown
    assert f"{old} " not in shown
    assert f"{old}," not in shown
    group: click.Group = cli
    for name in command[:-1]:
        group = group.commands[name]  # type: ignore[assignment]
    option = next(p for p in group.commands[command[-1]].params if new in p.opts)
    assert isinstance(option, RenamedOption)
    assert old in option.opts


def test_encrypt_and_decrypt_under_the_old_and_new_names(tmp_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(cli, ["keys", "new", "--p12", str(tmp_path / "k.p12"), "--cert-out",
                               str(tmp_path / "k.pem")])
    assert made.exit_code == 0, made.output
    (tmp_path / "doc.json").write_text('{"quoterequest":{}}')
    for cert, body in (("--encryption-cert", "--body-file"), ("--cert", "--in")):
        token = runner.invoke(cli, ["encrypt", cert, str(tmp_path / "k.pem"), body,
                                    str(tmp_path / "doc.json"), "--envelope", "json"])
        assert token.exit_code == 0, token.output
        (tmp_path / "sent.json").write_text(token.output)
        plain = runner.invoke(cli, ["decrypt", "--key", str(tmp_path / "k.p12"), "--password",
                                    "keystorepassword", body, str(tmp_path / "sent.json")])
        assert (plain.exit_code, plain.output) == (0, '{"quoterequest":{}}')


def test_errors_share_one_style(tmp_path: Path) -> None:
    runner = CliRunner()
    configuration = runner.invoke(cli, ["keys", "inspect", str(tmp_path / "missing.pem")])
    (tmp_path / "some.pem").write_text("")
    usage = runner.invoke(cli, ["keys", "inspect", str(tmp_path / "some.pem"), "--password",
                                "a", "--password-env", "B"])
    assert configuration.exit_code == 2
    assert configuration.output.startswith("Error: ")
    assert usage.exit_code == 2
    assert "\nError: give --password or --password-env, not both" in usage.output


def test_keys_new_keeps_an_existing_keystore_unless_forced(tmp_path: Path) -> None:
    runner = CliRunner()
    p12, pem = tmp_path / "k.p12", tmp_path / "k.pem"
    assert runner.invoke(cli, ["keys", "new", "--p12", str(p12), "--cert-out",
                               str(pem)]).exit_code == 0
    before = p12.read_bytes(), pem.read_bytes()
    again = runner.invoke(cli, ["keys", "new", "--p12", str(p12), "--cert-out", str(pem)])
    assert again.exit_code == 2
    assert "already exist; keep the key (choose other paths) or replace it with --force" in (
        again.output)
    assert (p12.read_bytes(), pem.read_bytes()) == before
    forced = runner.invoke(cli, ["keys", "new", "--p12", str(p12), "--cert-out", str(pem),
                                 "--force"])
    assert forced.exit_code == 0
    assert p12.read_bytes() != before[0]


def test_oauth2_status_json_without_tokens(tmp_path: Path) -> None:
    from xbsec.sandbox.project import init_project

    project = init_project(tmp_path / "p", auth="request-token")
    text = Path(project.profile).read_text()
    assert "[profiles.sandbox.oauth2]" in text or "oauth2" in text
    result = CliRunner().invoke(cli, ["oauth2", "status", "--profile-file",
                                      str(project.profile), "--json"],
                                env={"XDG_STATE_HOME": str(tmp_path / "state"),
                                     "HOME": str(tmp_path)})
    assert result.exit_code == 1, result.output
    status = json.loads(result.output)
    assert (status["stored"], status["login_needed"]) == (False, True)
    assert status["login_command"].startswith("xbsec oauth2 login")


def test_serve_on_a_busy_port_says_so_and_exits_2(tmp_path: Path) -> None:
    from xbsec.sandbox.project import init_project

    project = init_project(tmp_path / "p")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["sandbox", "serve", "--dir", str(project.folder),
                                          "--port", str(port)])
    assert result.exit_code == 2
    assert f"127.0.0.1:{port} is already in use" in result.output
    assert "--port" in result.output
