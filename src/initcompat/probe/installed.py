"""What is installed and what it runs on: packages, interpreter, platform, CPU, devices.

Records what is there, not what was asked for. Python 3.6-clean (no importlib.metadata on
3.6/3.7, so distributions are read from their *.dist-info / *.egg-info folders).
"""

import glob
import os
import platform
import re
import sys

from initcompat.probe.schema import NO_GPU

KEY_PACKAGES = ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tf-nightly", "keras", "tf-keras",
                "numpy", "protobuf", "pyperf")


def _normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _metadata_fields(path):
    name = version = None
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("Name:") and name is None:
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("Version:") and version is None:
                    version = line.split(":", 1)[1].strip()
                elif not line.strip():
                    break
    except (IOError, OSError):
        return None
    return (name, version) if name and version else None


def collect_distributions(paths=None):
    """{normalized name: version} of every distribution found on sys.path (first one wins)."""
    found = {}
    for entry in (paths if paths is not None else sys.path):
        if not entry or not os.path.isdir(entry):
            continue
        candidates = sorted(glob.glob(os.path.join(entry, "*.dist-info", "METADATA")))
        candidates += sorted(glob.glob(os.path.join(entry, "*.egg-info", "PKG-INFO")))
        for path in candidates:
            fields = _metadata_fields(path)
            if fields:
                found.setdefault(_normalize(fields[0]), fields[1])
    return found


def collect_cpu_model():
    """The CPU model string from /proc/cpuinfo, or platform.processor() elsewhere."""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except (IOError, OSError):
        pass
    return platform.processor() or None


def collect_platform():
    """Interpreter and machine facts."""
    return {
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "executable": sys.executable,
        "system": platform.system(),
        "release": platform.release(),
        "machine": platform.machine(),
        "cpu_model": collect_cpu_model(),
        "cpu_count": os.cpu_count(),
    }


def collect_devices(tf):
    """Every device TensorFlow lists, and an explicit 'none found' when it lists no GPU."""
    devices = []
    try:
        from tensorflow.python.client import device_lib
        for device in device_lib.list_local_devices():
            devices.append({
                "name": device.name,
                "device_type": device.device_type,
                "memory_limit": int(device.memory_limit),
                "description": device.physical_device_desc or None,
            })
    except Exception as error:  # a broken device listing is recorded, not fatal
        return {"devices": [], "gpu": "device listing failed: %s: %s" % (type(error).__name__, error)}
    gpus = [d["name"] for d in devices if d["device_type"] == "GPU"]
    return {"devices": devices, "gpu": gpus if gpus else NO_GPU}


def collect_framework_versions(tf, distributions):
    """Versions the framework reports about itself, beside the installed distributions."""
    versions = {"tensorflow_reported": getattr(tf, "__version__", None)}
    try:
        versions["tensorflow_git"] = tf.version.GIT_VERSION
    except AttributeError:
        versions["tensorflow_git"] = getattr(tf, "GIT_VERSION", None)
    versions["cuda_build"] = None
    try:
        versions["cuda_build"] = bool(tf.test.is_built_with_cuda())
    except Exception:
        pass
    versions["packages"] = dict((name, distributions.get(name)) for name in KEY_PACKAGES
                                if distributions.get(name))
    return versions
