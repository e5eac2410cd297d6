"""An interrupted cell in a course kernel: one sentence, no traceback, and the cell still fails."""

import queue
import time

import pytest
from jupyter_client.manager import start_new_kernel

from biaslab.course._interrupt import MESSAGE, quiet_keyboard_interrupt


def test_outside_ipython_nothing_is_installed():
    assert quiet_keyboard_interrupt() is False


def test_an_in_process_shell_shows_one_sentence(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        assert quiet_keyboard_interrupt(shell) is True
        assert quiet_keyboard_interrupt(shell) is True  # again: unchanged
        result = shell.run_cell("raise KeyboardInterrupt")
        assert isinstance(result.error_in_exec, KeyboardInterrupt)  # the cell failed, Run all stops
        out = capsys.readouterr()
        assert MESSAGE in out.out + out.err and "Traceback" not in out.out + out.err
        result = shell.run_cell("1 / 0")  # other errors keep their traceback
        out = capsys.readouterr()
        assert isinstance(result.error_in_exec, ZeroDivisionError) and "ZeroDivisionError" in out.out + out.err
    finally:
        shell.set_custom_exc((), None)
        InteractiveShell.clear_instance()


def test_someone_elses_hook_is_left_alone():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.set_custom_exc((ValueError,), lambda *a, **k: ["theirs"])
        assert quiet_keyboard_interrupt(shell) is False
        assert shell.custom_exceptions == (ValueError,)
    finally:
        shell.set_custom_exc((), None)
        InteractiveShell.clear_instance()


def test_a_real_kernel_interrupted_mid_cell():
    """Kernel > Interrupt while a module's cell runs: the error output is the sentence, the reply an error."""
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        reply = kc.execute_interactive("from biaslab.exercises.m00 import *", timeout=60)
        assert reply["content"]["status"] == "ok"
        msg_id = kc.execute("import time\nfor _ in range(600): time.sleep(0.1)")
        time.sleep(1.5)
        km.interrupt_kernel()
        errors, status = [], None
        deadline = time.time() + 30
        while time.time() < deadline and status != "idle":
            try:
                msg = kc.get_iopub_msg(timeout=5)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "error":
                errors.append(msg["content"])
            elif msg["msg_type"] == "status":
                status = msg["content"]["execution_state"]
        reply = kc.get_shell_msg(timeout=10)
        assert reply["content"]["status"] == "error"
        assert len(errors) == 1 and errors[0]["traceback"] == [MESSAGE], errors
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
