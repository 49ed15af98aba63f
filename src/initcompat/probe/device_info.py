"""The devices a framework without TensorFlow sees, described for the result file (issue 19):
name, kind, memory, driver and the framework's own runtime versions, and which device the
probe's draws were made on.

    {"devices": [{"name", "device_type", "memory_bytes", "driver", "runtime"}],
     "gpu": [GPU names] or schema.NO_GPU, "drawn_on": "cpu" | "gpu" , "how": "..."}

PyTorch: torch.cuda's device properties, torch.version.cuda, cuDNN's version. JAX: its devices,
`memory_stats()["bytes_limit"]`, the backend's platform_version. The NVIDIA driver version is
read from /proc/driver/nvidia/version or `nvidia-smi` where either exists (else None). A device
listing that fails is recorded with why, never fatal. Python 3.6-clean; stdlib and the framework.
"""

import os
import re
import subprocess

from initcompat.probe import schema


def nvidia_driver():
    """The NVIDIA driver's version, or None where the machine has none (or hides it)."""
    try:
        with open("/proc/driver/nvidia/version") as handle:
            match = re.search(r"Kernel Module\s+([0-9.]+)", handle.read())
            if match:
                return match.group(1)
    except (IOError, OSError):
        pass
    try:
        output = subprocess.check_output(
            ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
            stderr=subprocess.STDOUT, universal_newlines=True, timeout=20)
        return output.strip().splitlines()[0] if output.strip() else None
    except (OSError, subprocess.SubprocessError, IndexError):
        return None


def torch_devices():
    import torch
    found = [{"name": "cpu", "device_type": "CPU", "memory_bytes": None, "driver": None,
              "runtime": {"torch": torch.__version__}}]
    if torch.cuda.is_available():
        driver = nvidia_driver()
        cudnn = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
        for index in range(torch.cuda.device_count()):
            properties = torch.cuda.get_device_properties(index)
            found.append({"name": properties.name, "device_type": "GPU",
                          "memory_bytes": int(properties.total_memory), "driver": driver,
                          "runtime": {"torch": torch.__version__, "cuda": torch.version.cuda,
                                      "cudnn": cudnn}})
    return found


JAX_GPU_PLATFORMS = ("gpu", "cuda", "rocm")


def jax_listed():
    """JAX's device objects: its default platform's, then its CPU when the default is not the
    CPU (the listing device_timing times on, too)."""
    import jax
    listed = list(jax.devices())
    if listed and listed[0].platform != "cpu":
        try:
            listed += list(jax.devices("cpu"))
        except RuntimeError:
            pass
    return listed


def jax_devices():
    import jax
    found = []
    for device in jax_listed():
        gpu = device.platform in JAX_GPU_PLATFORMS
        memory = None
        try:
            stats = device.memory_stats() if gpu else None
            memory = int(stats["bytes_limit"]) if stats and "bytes_limit" in stats else None
        except Exception:
            pass
        platform_version = None
        try:
            platform_version = str(device.client.platform_version).splitlines()[0]
        except Exception:
            pass
        found.append({"name": "%s (%s)" % (getattr(device, "device_kind", device.platform), device)
                      if gpu else str(device),
                      "device_type": "GPU" if gpu else device.platform.upper(),
                      "memory_bytes": memory, "driver": nvidia_driver() if gpu else None,
                      "runtime": {"jax": jax.__version__, "platform": platform_version}})
    return found


def describe(library, drawn_on_gpu, how):
    """The devices block of a result: every device `library` ("torch", "jax" or "numpy") lists,
    and where the draws were made (drawn_on_gpu: the draws went to the first GPU)."""
    try:
        if library == "torch":
            devices = torch_devices()
        elif library == "jax":
            devices = jax_devices()
        else:
            devices = [{"name": "cpu", "device_type": "CPU", "memory_bytes": None,
                        "driver": None, "runtime": {}}]
    except Exception as error:
        return {"devices": [], "gpu": "device listing failed: %s: %s" % (type(error).__name__,
                                                                         error),
                "drawn_on": "cpu", "how": how}
    gpus = [d["name"] for d in devices if d["device_type"] == "GPU"]
    return {"devices": devices, "gpu": gpus if gpus else schema.NO_GPU,
            "drawn_on": "gpu" if drawn_on_gpu and gpus else "cpu", "how": how,
            "visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
            "jax_platforms": os.environ.get("JAX_PLATFORMS")}


def place_torch_on_gpu():
    """Make PyTorch build modules on the first CUDA device (torch.set_default_device, PyTorch
    >= 2.0): (True, how) where it could, else (False, why not)."""
    import torch
    if not torch.cuda.is_available():
        return False, "no CUDA device: built on the CPU (PyTorch's default)"
    if not hasattr(torch, "set_default_device"):
        return False, "PyTorch %s has no set_default_device: built on the CPU" % torch.__version__
    torch.set_default_device("cuda")
    return True, "torch.set_default_device('cuda'): modules built on %s" % (
        torch.cuda.get_device_name(0))
