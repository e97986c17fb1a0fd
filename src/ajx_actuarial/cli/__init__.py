"""The ``ajx`` command line: one small module per command group.

Layout
------
``_app.py``      the Typer ``app``, the error policy (one stderr line, exit 2) and ``main()``/``run()``
``_common.py``   shared options (``-o/--output``, ``-n/--n``, ``--seed``, ``--encoding``, ``--lang``)
                 and ``read_input``/``write_output``
``data.py``      ``synth``, ``validate``
``tables.py``    ``tables list|show``, ``scenarios list|show``
``rating.py``    ``price``, ``bms``, ``calibrate``
``simulate.py``  ``simulate``
``prevention.py`` ``prevention``
``stress.py``    ``stress``
``report.py``    ``demo``, ``report``
``jurisdictions.py`` ``jurisdictions list|show``
``project.py``   ``project`` (multi-year projection, a run folder)
``model.py``     ``model show|check|fit`` (the loss model, its sources, anchors and fit)

Adding a command (e.g. ``ajx experience``)
------------------------------------------
1. Create ``cli/experience.py``::

       from pathlib import Path
       import typer
       from ._app import app, out
       from ._common import encoding_option, output_option, read_input, write_output

       @app.command()
       def experience(path: Path = typer.Argument(..., help="..."),
                      output: Path = output_option("Result table (.parquet/.csv/.xlsx)."),
                      encoding: str = encoding_option()) -> None:
           \"\"\"One-line summary.

           Example: ajx experience claims.csv -o triangle.xlsx
           \"\"\"
           from ..experience import something   # heavy imports inside the function
           ...

   (A group of subcommands: ``sub = typer.Typer(help=..., no_args_is_help=True)`` and
   ``app.add_typer(sub, name="...")`` in the module, as ``tables.py`` does.)
2. Register it with ONE line in the import list below: ``from . import experience``.

Rules: call only the public API (no model logic here); raise
:class:`~ajx_actuarial.errors.ValidationError` for bad input (``main`` turns it into one line on
stderr and exit 2); write files only through ``write_output`` (atomic, any table suffix); print
user text through ``ajx_actuarial.present.escape_markup``; give every command an ``Example:``
line in its docstring (tests/cli/test_cli_contract.py checks it).
"""

from ._app import app, main, run

# Command modules: importing one registers its commands (order = order in `ajx --help`).
from . import data  # noqa: E402,F401  synth, validate
from . import rating  # noqa: E402,F401  price, bms, calibrate
from . import experience  # noqa: E402,F401  experience
from . import risk  # noqa: E402,F401  pure-rates, adequacy
from . import simulate  # noqa: E402,F401  simulate
from . import prevention  # noqa: E402,F401  prevention
from . import stress  # noqa: E402,F401  stress
from . import report  # noqa: E402,F401  demo, report
from . import tables  # noqa: E402,F401  tables, scenarios
from . import jurisdictions  # noqa: E402,F401  jurisdictions list|show
from . import project  # noqa: E402,F401  project
from . import model  # noqa: E402,F401  model show|check|fit

__all__ = ["app", "main", "run"]
