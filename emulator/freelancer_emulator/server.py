"""serve: run moto's server in the foreground, patched, until SIGTERM or SIGINT.

Order matters and is kept here in one place:

1. moto's environment (``MOTO_IAM_LOAD_MANAGED_POLICIES``, ``MOTO_PORT``) is set before
   moto is first imported;
2. Step Functions execution is switched on before any backend exists: moto keeps executable
   state machines in a different backend (moto/stepfunctions/responses.py:12-19), so switching
   it later (``POST /moto-api/config``) loses every machine created before;
3. the patches are applied, the Lambda runner and the create delay configured;
4. only then is the socket bound and served.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

from freelancer_emulator import launcher
from freelancer_emulator import settings


def prepare_moto(port: int) -> None:
    """Steps 1-2: environment and config that must precede moto's first import / first backend."""
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    # moto's own clients (Step Functions tasks, moto.settings.moto_server_port) call back here.
    os.environ["MOTO_PORT"] = str(port)
    os.environ.setdefault("AWS_DEFAULT_REGION", settings.DEFAULT_REGION)

    from moto.core.config import default_user_config

    default_user_config.setdefault("stepfunctions", {})["execute_state_machine"] = True
    default_user_config.setdefault("iam", {})["load_aws_managed_policies"] = True


def configure(port: int, create_delay: float) -> None:
    """Step 3: patches, Lambda runner, create delay."""
    from freelancer_emulator import create_delay as delay
    from freelancer_emulator import lambda_runner
    from freelancer_emulator import patches

    patches.apply_all()
    lambda_runner.configure(
        endpoint_url=settings.endpoint(port),
        cache_dir=settings.state_dir().resolve() / "lambda-code",
    )
    delay.configure(create_delay)


def serve(port: int, create_delay: float | None = None) -> int:
    if create_delay is None:
        create_delay = settings.default_create_delay()
    prepare_moto(port)
    configure(port, create_delay)

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from moto.moto_server.werkzeug_app import create_backend_app
    from werkzeug.serving import make_server

    from freelancer_emulator import lambda_runner

    app = DomainDispatcherApplication(create_backend_app)
    try:
        server = make_server(settings.HOST, port, app, threaded=True, request_handler=MotoRequestHandler)
    except OSError as exc:
        print(f"freelancer-emulator: cannot listen on {settings.HOST}:{port}: {exc}", file=sys.stderr, flush=True)
        return launcher.EXIT_FAILED

    pid_path = settings.pid_file(port, settings.state_dir().resolve())
    launcher.write_pid(pid_path, os.getpid())

    def _shutdown(signum: int, _frame: FrameType | None) -> None:
        # serve_forever() runs in this thread: shutdown() must come from another one.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _shutdown)
    signal.signal(signal.SIGINT, _shutdown)

    print(
        f"freelancer-emulator: serving moto on {settings.endpoint(port)} (pid {os.getpid()}, "
        f"create delay {create_delay:g} s)",
        flush=True,
    )
    try:
        server.serve_forever()
    finally:
        server.server_close()
        lambda_runner.kill_running()
        launcher.remove_pid(pid_path, only_if=os.getpid())
        print("freelancer-emulator: stopped", flush=True)
    return launcher.EXIT_OK
