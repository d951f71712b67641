"""`python -m parta.messenger run_janus [--config-dir DIR] [--http-port N] [--ice-interface IFACE]
[--rtp-ports 40000-40100] [--print-config] [--no-exec]`: writes a Janus config folder from the settings and starts
Janus with it (replacing this process).

Janus gets the VideoRoom plugin only and the plain HTTP transport only, bound to 127.0.0.1 (the admin API too, when
the first configured server has `admin_url` and `admin_secret`); core `token_auth` with that server's `token_secret`,
the VideoRoom `admin_key` from the same server, no public STUN.
Exit code 2 when Janus is not installed (run.sh then runs without calls).
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from parta.messenger.calls.janus import configured_servers

NOT_INSTALLED = (
    "Janus не установлен: звонки недоступны (apt-get install janus). / "
    "Janus is not installed: calls are unavailable (apt-get install janus)."
)
PLUGIN = "libjanus_videoroom.so"
TRANSPORT = "libjanus_http.so"


def janus_lib_dir() -> Path | None:
    """The folder with Janus's plugins/, transports/, events/, loggers/ (its path names the architecture)."""
    for pattern in ("/usr/lib/*/janus", "/usr/lib/janus", "/usr/local/lib/janus", "/opt/janus/lib/janus"):
        for found in sorted(glob.glob(pattern)):
            if (Path(found) / "plugins" / PLUGIN).exists():
                return Path(found)
    return None


def _others(folder: Path, keep: str = "") -> str:
    """A comma-separated list of the .so files in `folder` except `keep` (Janus's `disable` lists)."""
    names = sorted(path.name for path in folder.glob("*.so") if path.name != keep) if folder.is_dir() else []
    return ",".join(names)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_configs(
    *, config_dir: Path, lib_dir: Path, http_port: int, rtp_ports: str, ice_interface: str | None
) -> dict[str, str]:
    """The config files (name → text) for Janus serving the messenger's calls."""
    servers = configured_servers()
    if not servers:
        raise CommandError("settings.CALLS_JANUS_SERVERS is empty")
    server = servers[0]
    # Janus's admin API (on loopback, with the settings' admin_secret) lets the messenger end a removed person's
    # Janus sessions; without admin_url/admin_secret it stays off and the admin secret is random.
    admin = urlsplit(server.admin_url) if server.has_admin_api else None
    if admin and admin.port == http_port:
        raise CommandError(f"the admin API port {admin.port} is the HTTP API's port")
    nat = [
        "\tnice_debug = false",
        '\tice_ignore_list = "vmnet"',
    ]
    if ice_interface:
        nat.append(f"\tice_enforce_list = {_quote(ice_interface)}")
    janus = f"""# Written by `python -m parta.messenger run_janus` from the messenger's settings: edits are overwritten.
general: {{
\tconfigs_folder = {_quote(str(config_dir))}
\tplugins_folder = {_quote(str(lib_dir / "plugins"))}
\ttransports_folder = {_quote(str(lib_dir / "transports"))}
\tevents_folder = {_quote(str(lib_dir / "events"))}
\tloggers_folder = {_quote(str(lib_dir / "loggers"))}
\tdebug_level = 4
\tadmin_secret = {_quote(server.admin_secret if admin else secrets.token_urlsafe(32))}
\ttoken_auth = true
\ttoken_auth_secret = {_quote(server.token_secret)}
\tsession_timeout = 60
\tserver_name = "Parta"
}}
certificates: {{
}}
media: {{
\trtp_port_range = {_quote(rtp_ports)}
}}
nat: {{
{chr(10).join(nat)}
}}
plugins: {{
\tdisable = {_quote(_others(lib_dir / "plugins", PLUGIN))}
}}
transports: {{
\tdisable = {_quote(_others(lib_dir / "transports", TRANSPORT))}
}}
loggers: {{
\tdisable = {_quote(_others(lib_dir / "loggers"))}
}}
events: {{
\tbroadcast = false
\tdisable = {_quote(_others(lib_dir / "events"))}
}}
"""
    http = f"""general: {{
\tjson = "plain"
\tbase_path = "/janus"
\thttp = true
\tport = {http_port}
\tip = "127.0.0.1"
\thttps = false
}}
admin: {{
\tadmin_http = {"true" if admin else "false"}
\tadmin_https = false
\tadmin_ip = "127.0.0.1"
\tadmin_port = {admin.port if admin and admin.port else http_port + 1}
\tadmin_base_path = {_quote(admin.path if admin and admin.path else "/admin")}
}}
cors: {{
}}
"""
    videoroom = f"""general: {{
\tadmin_key = {_quote(server.admin_key)}
\tlock_rtp_forward = true
\tlock_play_file = true
}}
"""
    return {
        "janus.jcfg": janus,
        "janus.transport.http.jcfg": http,
        "janus.plugin.videoroom.jcfg": videoroom,
    }


def write_configs(config_dir: Path, configs: dict[str, str]) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(config_dir, 0o700)  # the files hold the token secret and the admin key
    for name, text in configs.items():
        path = config_dir / name
        path.write_text(text)
        os.chmod(path, 0o600)


def janus_command(config_dir: Path, janus: str = "janus") -> list[str]:
    log = str(config_dir / "janus.log")
    return [janus, "-F", str(config_dir), "-C", str(config_dir / "janus.jcfg"), "-L", log, "-N"]  # -N: the file only


class Command(BaseCommand):
    help = "Writes the Janus config from the settings and starts Janus (VideoRoom, HTTP on 127.0.0.1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--config-dir", default=None, help="default: $PARTA_DATA_DIR/janus")
        parser.add_argument("--http-port", type=int, default=None, help="default: settings.CALLS_JANUS_HTTP_PORT")
        parser.add_argument("--ice-interface", default=None, help="the only network interface for media (ICE)")
        parser.add_argument("--rtp-ports", default="40000-40100", help="the UDP port range for media")
        parser.add_argument("--print-config", action="store_true", help="print the written config files")
        parser.add_argument("--no-exec", action="store_true", help="write the config, print the command, stop")

    def handle(self, *args: Any, **options: Any) -> None:
        janus = shutil.which("janus")
        lib_dir = janus_lib_dir()
        if janus is None or lib_dir is None:
            self.stderr.write(NOT_INSTALLED)
            sys.exit(2)
        rtp_ports = options["rtp_ports"]
        low, _, high = rtp_ports.partition("-")
        if not (low.isdigit() and high.isdigit() and 0 < int(low) <= int(high) < 65536):
            raise CommandError(f"--rtp-ports: expected e.g. 40000-40100, got {rtp_ports!r}")
        config_dir = Path(options["config_dir"] or settings.DATA_DIR / "janus").resolve()
        configs = render_configs(
            config_dir=config_dir,
            lib_dir=lib_dir,
            http_port=options["http_port"] or settings.CALLS_JANUS_HTTP_PORT,
            rtp_ports=rtp_ports,
            ice_interface=options["ice_interface"],
        )
        write_configs(config_dir, configs)
        if options["print_config"]:
            for name, text in configs.items():
                self.stdout.write(f"# --- {config_dir / name}\n{text}")
        command = janus_command(config_dir, janus)
        if options["no_exec"]:
            self.stdout.write(" ".join(command))
            return
        sys.stdout.flush()
        sys.stderr.flush()
        os.execvp(janus, command)  # noqa: S606 - replaces this process with Janus, by design
