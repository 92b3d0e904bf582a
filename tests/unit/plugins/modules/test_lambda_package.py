"""freelancer.platform.lambda_package: same source -> same bytes, change detection, check mode, dependencies."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import time
import zipfile

import pytest
from ansible_collections.freelancer.platform.plugins.modules import lambda_package


@pytest.fixture
def source(tmp_path):
    """A small function: a handler, a package with __pycache__ litter, and a data file."""
    root = tmp_path / "src"
    (root / "pkg" / "__pycache__").mkdir(parents=True)
    (root / "handler.py").write_text("def handler(event, context):\n    return {'ok': True}\n")
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "util.py").write_text("VALUE = 1\n")
    (root / "pkg" / "__pycache__" / "util.cpython-311.pyc").write_bytes(b"\x00bytecode")
    (root / "pkg" / "stale.pyc").write_bytes(b"\x00bytecode")
    (root / "migrations").mkdir()
    (root / "migrations" / "0001_init.sql").write_text("CREATE TABLE t (id INT);\n")
    return root


@pytest.fixture
def shared(tmp_path):
    root = tmp_path / "common"
    (root / "freelancer_common").mkdir(parents=True)
    (root / "freelancer_common" / "__init__.py").write_text('"""shared"""\n')
    return root


def package(run_module, dest, *sources, check_mode=False, diff=False, **extra):
    args = {"dest": str(dest), "sources": [{"path": str(s)} for s in sources]}
    args.update(extra)
    return run_module(lambda_package, args, check_mode=check_mode, diff=diff)


def test_same_source_gives_the_same_bytes_whatever_the_file_times_and_modes(run_module, tmp_path, source, shared):
    first, failed = package(run_module, tmp_path / "a.zip", source, shared)
    assert not failed and first["changed"] is True
    # Same content elsewhere on disk, with other timestamps and permissions.
    copy = tmp_path / "copy"
    shutil.copytree(source, copy)
    later = time.time() + 3600
    for path in copy.rglob("*"):
        if path.is_file():
            os.utime(path, (later, later))
            path.chmod(0o600)
    second, _ = package(run_module, tmp_path / "b.zip", copy, shared)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    assert first["sha256"] == second["sha256"]


def test_entries_are_sorted_with_fixed_time_and_mode_and_no_bytecode(run_module, tmp_path, source, shared):
    result, _ = package(run_module, tmp_path / "f.zip", source, shared)
    with zipfile.ZipFile(tmp_path / "f.zip") as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert names == [
        "freelancer_common/__init__.py",
        "handler.py",
        "migrations/0001_init.sql",
        "pkg/__init__.py",
        "pkg/util.py",
    ]
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)
    assert all((i.external_attr >> 16) == 0o100644 for i in infos)
    assert result["files"] == names


def test_sha256_is_lambdas_code_sha256(run_module, tmp_path, source):
    result, _ = package(run_module, tmp_path / "f.zip", source)
    digest = hashlib.sha256((tmp_path / "f.zip").read_bytes()).digest()
    assert result["sha256"] == base64.b64encode(digest).decode()
    assert result["sha256_hex"] == digest.hex()
    assert result["size"] == (tmp_path / "f.zip").stat().st_size


def test_unchanged_source_reports_no_change_and_keeps_the_file(run_module, tmp_path, source):
    package(run_module, tmp_path / "f.zip", source)
    before = (tmp_path / "f.zip").stat().st_mtime_ns
    time.sleep(0.01)
    again, _ = package(run_module, tmp_path / "f.zip", source)
    assert again["changed"] is False
    assert (tmp_path / "f.zip").stat().st_mtime_ns == before


def test_a_content_change_is_a_change(run_module, tmp_path, source):
    first, _ = package(run_module, tmp_path / "f.zip", source)
    (source / "pkg" / "util.py").write_text("VALUE = 2\n")
    second, _ = package(run_module, tmp_path / "f.zip", source, diff=True)
    assert second["changed"] is True
    assert second["sha256"] != first["sha256"]
    assert second["diff"]["before"]["sha256"] == first["sha256"]
    assert second["diff"]["after"]["sha256"] == second["sha256"]


def test_check_mode_reports_but_writes_nothing(run_module, tmp_path, source):
    preview, _ = package(run_module, tmp_path / "f.zip", source, check_mode=True)
    assert preview["changed"] is True
    assert not (tmp_path / "f.zip").exists()
    package(run_module, tmp_path / "f.zip", source)
    (source / "handler.py").write_text("def handler(event, context):\n    return {}\n")
    preview, _ = package(run_module, tmp_path / "f.zip", source, check_mode=True)
    assert preview["changed"] is True
    with zipfile.ZipFile(tmp_path / "f.zip") as archive:
        assert b"'ok': True" in archive.read("handler.py")


def test_prefix_and_exclude(run_module, tmp_path, source):
    result, _ = run_module(
        lambda_package,
        {
            "dest": str(tmp_path / "f.zip"),
            "sources": [{"path": str(source), "prefix": "app/"}, {"path": str(source / "handler.py")}],
            "exclude": ["migrations"],
        },
    )
    assert result["files"] == ["app/handler.py", "app/pkg/__init__.py", "app/pkg/util.py", "handler.py"]


def test_conflicting_sources_fail(run_module, tmp_path, source):
    other = tmp_path / "other"
    other.mkdir()
    (other / "handler.py").write_text("different\n")
    result, failed = package(run_module, tmp_path / "f.zip", source, other)
    assert failed and "handler.py" in result["msg"]
    assert not (tmp_path / "f.zip").exists()


def test_missing_source_fails(run_module, tmp_path):
    result, failed = package(run_module, tmp_path / "f.zip", tmp_path / "nope")
    assert failed and "does not exist" in result["msg"]


def make_wheel(directory, name="tinydep", version="1.0.0"):
    """A pure-Python wheel built by hand, so the test needs no index."""
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": b"ANSWER = 42\n",
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


@pytest.fixture
def wheelhouse(tmp_path):
    house = tmp_path / "wheels"
    house.mkdir()
    make_wheel(house)
    return house


def test_pinned_dependencies_are_installed_reproducibly(run_module, tmp_path, source, wheelhouse):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# pinned\ntinydep==1.0.0\n")
    offline = ["--no-index", f"--find-links={wheelhouse}"]
    common = {"requirements": str(requirements), "pip_extra_args": offline}
    first, failed = package(run_module, tmp_path / "a.zip", source, build_dir=str(tmp_path / "cache-a"), **common)
    assert not failed, first.get("msg")
    assert first["dependencies"] == ["tinydep==1.0.0"]
    assert "tinydep/__init__.py" in first["files"]
    assert "tinydep-1.0.0.dist-info/METADATA" in first["files"]
    assert not [f for f in first["files"] if f.endswith(("INSTALLER", "direct_url.json")) or f.startswith("bin/")]
    # A fresh build (another cache, so pip runs again) gives the same bytes.
    second, _ = package(run_module, tmp_path / "b.zip", source, build_dir=str(tmp_path / "cache-b"), **common)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    assert second["sha256"] == first["sha256"]
    # The cache is reused: the wheel may disappear and the build still works.
    shutil.rmtree(wheelhouse)
    third, failed = package(run_module, tmp_path / "a.zip", source, build_dir=str(tmp_path / "cache-a"), **common)
    assert not failed and third["changed"] is False


def test_dependencies_can_be_skipped(run_module, tmp_path, source):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("tinydep==1.0.0\n")
    result, failed = package(
        run_module, tmp_path / "f.zip", source, requirements=str(requirements), install_dependencies=False
    )
    assert not failed
    assert result["dependencies"] == []
    assert not [f for f in result["files"] if f.startswith("tinydep")]


def test_check_mode_with_dependencies_leaves_no_cache(run_module, tmp_path, source, wheelhouse):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("tinydep==1.0.0\n")
    cache = tmp_path / "cache"
    result, failed = package(
        run_module,
        tmp_path / "f.zip",
        source,
        check_mode=True,
        requirements=str(requirements),
        build_dir=str(cache),
        pip_extra_args=["--no-index", f"--find-links={wheelhouse}"],
    )
    assert not failed and result["changed"] is True
    assert "tinydep/__init__.py" in result["files"]
    assert not cache.exists() and not (tmp_path / "f.zip").exists()


@pytest.mark.parametrize(
    "line", ["tinydep", "tinydep>=1.0", "-e git+https://example.com/x.git", "--index-url https://x"]
)
def test_unpinned_requirements_are_refused(run_module, tmp_path, source, line):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"{line}\n")
    result, failed = package(run_module, tmp_path / "f.zip", source, requirements=str(requirements))
    assert failed and "not pinned" in result["msg"] and "line 1" in result["msg"]


def test_pip_failure_is_reported(run_module, tmp_path, source):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("doesnotexist-anywhere==9.9.9\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    result, failed = package(
        run_module,
        tmp_path / "f.zip",
        source,
        requirements=str(requirements),
        build_dir=str(tmp_path / "cache"),
        pip_extra_args=["--no-index", f"--find-links={empty}"],
    )
    assert failed and "pip could not install" in result["msg"]
    assert not (tmp_path / "f.zip").exists()


def test_bad_mode_is_refused(run_module, tmp_path, source):
    result, failed = package(run_module, tmp_path / "f.zip", source, mode="rw-r--r--")
    assert failed and "mode" in result["msg"]
