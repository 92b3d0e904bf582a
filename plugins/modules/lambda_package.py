#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: lambda_package
short_description: Build a reproducible Lambda deployment zip
version_added: 1.0.0
description:
  - Builds the zip of a Python Lambda function from one or more source
    directories (or files), plus optional pinned dependencies installed with
    C(pip install --target).
  - The same inputs always give the same bytes. Entries are sorted, every entry
    has the same timestamp (1980-01-01 00:00:00) and the same permissions (0644),
    and C(__pycache__), C(*.pyc) and C(*.pyo) are left out, so rebuilding an
    unchanged function gives the checksum AWS Lambda already has and the function
    is not redeployed.
  - The zip is written only when its bytes differ from the file at O(dest);
    changed reports exactly that. In check mode the zip is built in memory and
    compared, and nothing is written.
  - Runs where the playbook runs (the controller); it calls no AWS API.
author:
  - Platform team
options:
  dest:
    description: Path of the zip to write. Its directory is created when missing.
    type: path
    required: true
  sources:
    description:
      - What goes into the zip. A directory contributes its files (recursively),
        a file contributes itself.
      - Two sources that would put different content at the same path in the zip
        make the module fail.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: A directory or a file.
        type: path
        required: true
      prefix:
        description: Folder inside the zip to put the content under; empty means the root.
        type: str
        default: ""
  exclude:
    description:
      - Shell patterns of paths to leave out, matched against each path relative to
        its source and against each of its parts (for example V(tests), V(*.md)).
      - C(__pycache__), C(*.pyc), C(*.pyo), C(.DS_Store) and C(.git) are always left out.
    type: list
    elements: str
    default: []
  requirements:
    description:
      - A requirements file of the function's dependencies. Every line must pin one
        distribution with C(==); dependencies of dependencies are not resolved
        (C(pip --no-deps)), so list them too.
      - Installed only when O(install_dependencies=true).
    type: path
  install_dependencies:
    description:
      - Install O(requirements) into the zip. Turn it off where the function runs
        with the dependencies already importable (the local emulator runs handlers
        with the virtualenv's packages).
    type: bool
    default: true
  python_version:
    description: Python version of the Lambda runtime the dependencies are chosen for.
    type: str
    default: "3.12"
  architecture:
    description: Instruction set of the function, for the wheels pip picks.
    type: str
    choices: [x86_64, arm64]
    default: x86_64
  pip_extra_args:
    description:
      - Further arguments for C(pip install), for example V(--index-url) of a mirror,
        or V(--no-index) and V(--find-links) for an offline wheel directory.
    type: list
    elements: str
    default: []
  build_dir:
    description:
      - Where installed dependencies are kept between runs, one folder per
        requirements content, so pip runs again only when the requirements change.
      - Defaults to C(.deps) beside O(dest).
    type: path
  mode:
    description: Permissions of the written zip file.
    type: str
    default: "0644"
notes:
  - Only wheels are installed (C(--only-binary=:all:)), for the Lambda platform
    (C(manylinux2014) of O(architecture), O(python_version)); sdists would make the
    build depend on the build machine.
  - The zip is compressed with zlib at level 9; the same zlib version gives the
    same bytes.
"""

EXAMPLES = r"""
- name: Package the migration Lambda with the shared code
  freelancer.platform.lambda_package:
    dest: build/dev/db-migrations.zip
    sources:
      - path: lambdas/db_migrations
      - path: lambdas/common
    exclude: [requirements.txt]
    requirements: lambdas/db_migrations/requirements.txt
  register: package

- name: Deploy it (redeployed only when the zip's bytes changed)
  amazon.aws.lambda:
    name: dev-freelancer-platform-db-migrations
    zip_file: "{{ package.dest }}"
    runtime: python3.12
    handler: handler.handler
    role: dev-freelancer-platform-db-migrations

- name: Local emulator - the handlers import the virtualenv's packages
  freelancer.platform.lambda_package:
    dest: build/local/db-migrations.zip
    sources:
      - path: lambdas/db_migrations
      - path: lambdas/common
    requirements: lambdas/db_migrations/requirements.txt
    install_dependencies: false
"""

RETURN = r"""
dest:
  description: Path of the zip.
  returned: always
  type: str
  sample: /srv/platform/build/dev/db-migrations.zip
sha256:
  description: Base64 SHA-256 of the zip, the form of Lambda's C(CodeSha256).
  returned: always
  type: str
  sample: 2jmj7l5rSw0yVb/vlWAYkK/YBwk2uQ1T3f6fG6P0H8A=
sha256_hex:
  description: Hexadecimal SHA-256 of the zip.
  returned: always
  type: str
  sample: da39a3ee5e6b4b0d3255bfef95601890afd80709da39a3ee5e6b4b0d3255bfef
size:
  description: Size of the zip in bytes.
  returned: always
  type: int
  sample: 48213
files:
  description: The paths inside the zip, in the order they are stored.
  returned: always
  type: list
  elements: str
  sample: [freelancer_common/__init__.py, freelancer_common/db.py, handler.py, migrations/0001_users_and_profiles.sql]
dependencies:
  description: The pinned requirements installed into the zip (empty when none).
  returned: always
  type: list
  elements: str
  sample: [PyMySQL==1.2.4]
"""

import base64
import fnmatch
import hashlib
import io
import os
import re
import shutil
import sys
import tempfile
import zipfile

from ansible.module_utils.basic import AnsibleModule

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
ALWAYS_EXCLUDED = ("__pycache__", "*.pyc", "*.pyo", ".DS_Store", ".git")
# Files pip writes whose content depends on where or how it ran.
DEPENDENCY_EXCLUDED = ("*.dist-info/direct_url.json", "*.dist-info/INSTALLER", "*.dist-info/REQUESTED", "bin")
PINNED = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[A-Za-z0-9,._-]*\])?==(?P<version>[A-Za-z0-9.+!_-]+)(\s*;.*)?$"
)
PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}


class PackageError(Exception):
    pass


def read_requirements(path):
    """The pinned requirement lines of ``path``; anything else is an error naming the line."""
    pinned = []
    with open(path, encoding="utf-8") as handle:
        text = handle.read().replace("\\\n", " ")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        requirement = re.split(r"\s+--hash", line, maxsplit=1)[0].strip()
        if not PINNED.match(requirement):
            raise PackageError(
                f"{path} line {number}: {requirement!r} is not pinned; write one distribution per line as name==version"
            )
        pinned.append(requirement)
    return pinned


def excluded(relative, patterns):
    parts = relative.split("/")
    for pattern in patterns:
        if fnmatch.fnmatch(relative, pattern) or any(fnmatch.fnmatch(part, pattern) for part in parts):
            return True
    return False


def collect(path, prefix, patterns):
    """``{archive name: absolute path}`` of the files under ``path``."""
    prefix = prefix.strip("/")
    found = {}
    if os.path.isfile(path):
        name = os.path.basename(path)
        if not excluded(name, patterns):
            found[f"{prefix}/{name}" if prefix else name] = path
        return found
    for root, dirs, files in os.walk(path):
        relative_root = os.path.relpath(root, path).replace(os.sep, "/")
        relative_root = "" if relative_root == "." else relative_root
        dirs[:] = sorted(d for d in dirs if not excluded(f"{relative_root}/{d}".lstrip("/"), patterns))
        for name in sorted(files):
            relative = f"{relative_root}/{name}".lstrip("/")
            if excluded(relative, patterns):
                continue
            found[f"{prefix}/{relative}" if prefix else relative] = os.path.join(root, name)
    return found


def pip_arguments(params):
    platform = PLATFORMS[params["architecture"]]
    version = params["python_version"]
    return [
        "--no-deps",
        "--only-binary=:all:",
        "--no-compile",
        "--disable-pip-version-check",
        "--no-input",
        f"--platform={platform}",
        f"--python-version={version}",
        "--implementation=cp",
        *params["pip_extra_args"],
    ]


def install_dependencies(module, requirements, pinned):
    """Install ``pinned`` into the build cache (or a throwaway folder in check mode); return the folder."""
    params = module.params
    arguments = pip_arguments(params)
    key = hashlib.sha256("\n".join([*pinned, "--", *arguments]).encode("utf-8")).hexdigest()[:16]
    build_dir = params["build_dir"] or os.path.join(os.path.dirname(os.path.abspath(params["dest"])), ".deps")
    cached = os.path.join(build_dir, key)
    if os.path.exists(os.path.join(cached, ".complete")):
        return cached, None
    scratch = tempfile.mkdtemp(prefix="lambda-deps-")
    target = os.path.join(scratch, "site")
    command = [sys.executable, "-m", "pip", "install", "--target", target, "-r", requirements, *arguments]
    rc, out, err = module.run_command(command, environ_update={"PYTHONDONTWRITEBYTECODE": "1"})
    if rc != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        module.fail_json(msg=f"pip could not install {requirements}", rc=rc, stdout=out, stderr=err, cmd=command)
    if module.check_mode:
        return target, scratch
    os.makedirs(build_dir, exist_ok=True)
    with open(os.path.join(target, ".complete"), "w", encoding="utf-8") as handle:
        handle.write("\n".join(pinned) + "\n")
    if os.path.exists(cached):
        shutil.rmtree(cached)
    os.replace(target, cached)
    shutil.rmtree(scratch, ignore_errors=True)
    return cached, None


def gather(module):
    params = module.params
    patterns = list(ALWAYS_EXCLUDED) + list(params["exclude"])
    entries = {}

    def add(found, origin):
        for name, path in found.items():
            if name in entries and entries[name][1] != origin:
                with open(entries[name][0], "rb") as a, open(path, "rb") as b:
                    if a.read() != b.read():
                        raise PackageError(
                            f"{name} comes from both {entries[name][1]} and {origin} with different content"
                        )
                continue
            entries[name] = (path, origin)

    for source in params["sources"]:
        path = source["path"]
        if not os.path.exists(path):
            raise PackageError(f"source {path} does not exist")
        add(collect(path, source["prefix"] or "", patterns), path)

    pinned = []
    scratch = None
    if params["requirements"] and params["install_dependencies"]:
        if not os.path.isfile(params["requirements"]):
            raise PackageError(f"requirements file {params['requirements']} does not exist")
        pinned = read_requirements(params["requirements"])
        if pinned:
            folder, scratch = install_dependencies(module, params["requirements"], pinned)
            add(collect(folder, "", patterns + list(DEPENDENCY_EXCLUDED) + [".complete"]), "dependencies")
    return entries, pinned, scratch


def build(entries):
    """The zip bytes of ``entries``: sorted, fixed timestamps and permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
            info.create_system = 3
            info.external_attr = (0o100000 | FILE_MODE) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(entries[name][0], "rb") as handle:
                archive.writestr(info, handle.read(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def summary(data, names):
    if data is None:
        return {}
    digest = hashlib.sha256(data).digest()
    return {
        "sha256": base64.b64encode(digest).decode("ascii"),
        "sha256_hex": digest.hex(),
        "size": len(data),
        "files": names,
    }


def existing_names(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except zipfile.BadZipFile:
        return []


def write(module, dest, data):
    directory = os.path.dirname(os.path.abspath(dest))
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".lambda-package-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, int(module.params["mode"], 8))
        os.replace(temporary, dest)
    except OSError as e:
        if os.path.exists(temporary):
            os.unlink(temporary)
        module.fail_json(msg=f"Could not write {dest}: {e}")


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dest=dict(type="path", required=True),
            sources=dict(
                type="list",
                elements="dict",
                required=True,
                options=dict(path=dict(type="path", required=True), prefix=dict(type="str", default="")),
            ),
            exclude=dict(type="list", elements="str", default=[]),
            requirements=dict(type="path"),
            install_dependencies=dict(type="bool", default=True),
            python_version=dict(type="str", default="3.12"),
            architecture=dict(type="str", default="x86_64", choices=["x86_64", "arm64"]),
            pip_extra_args=dict(type="list", elements="str", default=[]),
            build_dir=dict(type="path"),
            mode=dict(type="str", default="0644"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not params["sources"]:
        module.fail_json(msg="sources must list at least one directory or file")
    if not re.match(r"^0?[0-7]{3}$", params["mode"]):
        module.fail_json(msg=f"mode must be an octal permission such as 0644, got {params['mode']!r}")
    if not re.match(r"^3\.\d+$", params["python_version"]):
        module.fail_json(msg=f"python_version must look like 3.12, got {params['python_version']!r}")
    dest = params["dest"]

    scratch = None
    try:
        entries, pinned, scratch = gather(module)
        if not entries:
            raise PackageError("the sources contain no file to package")
        data = build(entries)
    except (PackageError, OSError) as e:
        module.fail_json(msg=str(e))
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)

    before_data = None
    if os.path.isfile(dest):
        with open(dest, "rb") as handle:
            before_data = handle.read()
    changed = before_data != data
    if changed and not module.check_mode:
        write(module, dest, data)

    after = summary(data, sorted(entries))
    result = dict(changed=changed, dest=dest, dependencies=pinned, **after)
    if module._diff:
        result["diff"] = dict(
            before=summary(before_data, existing_names(before_data)) if before_data is not None else {},
            after=after,
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
