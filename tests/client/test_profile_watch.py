"""A client profile read again when its file changes."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from tests.clocks import Clock
from xbsec.client.pipeline import ClientPipeline
from xbsec.client.profile_watch import ProfileWatch
from xbsec.client.xbs import XBSClient
from xbsec.errors import ConfigurationError
from xbsec.profile import load_profile
from xbsec.sandbox.project import init_project


@pytest.fixture
def profile_file(tmp_path: Path) -> Path:
    return init_project(tmp_path / "project").profile


def rewrite(path: Path, old: str, new: str) -> None:
    temporary = path.with_name(".edit")
    temporary.write_text(path.read_text().replace(old, new))
    os.replace(temporary, path)


def test_a_changed_profile_gives_a_new_pipeline(profile_file: Path) -> None:
    profile, clock = load_profile(path=profile_file, environ={}), Clock(0.0)
    watch = ProfileWatch(profile, ClientPipeline.from_profile(profile), interval=1.0,
                         clock=clock)
    first = watch.current()[1]
    rewrite(profile_file, profile.keys.consumer_key, "another-consumer!" + "0" * 32)
    assert watch.current()[1] is first  # within the interval: not looked at
    clock.advance(2)
    changed, pipeline = watch.current()
    assert pipeline is not first
    assert changed.keys.consumer_key == "another-consumer!" + "0" * 32
    clock.advance(2)
    assert watch.current()[1] is pipeline  # unchanged file: the same pipeline


def test_a_profile_that_no_longer_works_keeps_the_pipeline_in_force(
        profile_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    profile, clock = load_profile(path=profile_file, environ={}), Clock(0.0)
    watch = ProfileWatch(profile, ClientPipeline.from_profile(profile), interval=1.0,
                         clock=clock)
    first = watch.current()[1]
    rewrite(profile_file, '"signing.p12"', '"missing.p12"')
    clock.advance(2)
    with caplog.at_level(logging.ERROR, logger="xbsec.client.profile"):
        assert watch.current()[1] is first
    assert "keeping the one in force" in caplog.text


def test_the_client_takes_the_watch_only_with_a_profile_file(profile_file: Path) -> None:
    profile = load_profile(path=profile_file, environ={})
    with XBSClient(profile, watch_profile=True) as client:
        assert client._watch is not None
    with pytest.raises(ConfigurationError, match="watch_profile needs a profile"):
        XBSClient(pipeline=ClientPipeline.from_profile(profile), base_url="http://x",
                  partner_id="P", watch_profile=True)
