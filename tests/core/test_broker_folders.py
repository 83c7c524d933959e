"""The embedded file broker keeps every folder it writes under var/, never in the checkout."""

import json
import os
import subprocess
import sys
from pathlib import Path

FOLDER_OPTIONS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


def test_every_file_broker_folder_lies_under_the_var_folder(tmp_path):
    environment = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    environment["PHASEOUT_VAR_DIR"] = str(tmp_path)
    script = (
        "import json, django; django.setup();"
        "from procurement.celery import app;"
        "print(json.dumps(app.conf.broker_transport_options))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        env={**environment, "DJANGO_SETTINGS_MODULE": "procurement.settings"},
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    options = json.loads(completed.stdout.strip().splitlines()[-1])
    for option in FOLDER_OPTIONS:
        folder = Path(options[option])
        assert folder.is_relative_to(tmp_path), option
        assert folder.is_dir(), option
    assert not (tmp_path / "control").exists()
