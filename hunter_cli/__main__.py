import gc

gc.disable()  # before the imports below: start-up makes no garbage cycles (cli/lazygroup.py, garbage collection)

from .cli import main  # noqa: E402

main()
