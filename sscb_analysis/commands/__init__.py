"""Sub-commands of the ``sscb`` command line, one module each (imported lazily by ``cli``)."""
