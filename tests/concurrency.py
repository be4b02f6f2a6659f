"""Run several workers at the same instant (as separate processes would), and collect what went wrong."""
import threading


def run_together(workers):
    """Start every callable in its own thread at one barrier, wait for all; returns the errors they raised."""
    start, errors = threading.Barrier(len(workers)), []

    def run(work):
        try:
            start.wait()
            work()
        except Exception as error:  # returned to the test, which asserts there were none
            errors.append(repr(error))

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
