"""tests/hostile: `from conftest import run_cli, ROOT, CASES` as in tests/.

pytest imports each folder's conftest.py as the module "conftest" (the last one loaded wins), so this
file re-exports the helpers of tests/conftest.py rather than only putting tests/ on sys.path."""

import importlib.util
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_spec = importlib.util.spec_from_file_location("_briefgen_tests_conftest",
                                               Path(__file__).resolve().parent.parent / "conftest.py")
_parent = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_parent)
# The plain helpers only (not hooks or fixtures, which pytest already takes from tests/conftest.py).
ROOT, CASES, run_cli, check_golden = _parent.ROOT, _parent.CASES, _parent.run_cli, _parent.check_golden
run_full_cli = _parent.run_full_cli
docx_text = _parent.docx_text
