"""The ``xbsec`` command group."""

from __future__ import annotations

import click

from xbsec._version import __version__
from xbsec.cli.demo_cmd import demo
from xbsec.cli.doctor_cmd import doctor
from xbsec.cli.encryption_cmd import decrypt, encrypt
from xbsec.cli.keys_cmd import keys_group
from xbsec.cli.oauth1_cmd import explain, sign, verify
from xbsec.cli.oauth2_cmd import oauth2_group
from xbsec.cli.options import EXIT_CODES_HELP
from xbsec.cli.request_cmd import request
from xbsec.cli.sandbox_cmd import sandbox_group
from xbsec.cli.sandbox_keys_cmd import keys_group as sandbox_keys_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="xbsec")
def cli() -> None:
    """Mastercard Cross-Border Services API security: keys, signing, encryption."""


cli.add_command(keys_group)
cli.add_command(sign)
cli.add_command(verify)
cli.add_command(explain)
cli.add_command(encrypt)
cli.add_command(decrypt)
sandbox_group.add_command(sandbox_keys_group)
cli.add_command(sandbox_group)
cli.add_command(demo)
cli.add_command(oauth2_group)
cli.add_command(doctor)
cli.add_command(request)
