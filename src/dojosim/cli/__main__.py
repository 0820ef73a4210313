"""``python -m dojosim.cli``: the same as the ``dojosim`` command."""

from dojosim.cli import main

main()
