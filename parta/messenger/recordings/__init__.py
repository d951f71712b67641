"""A call's recordings after the stop: the worker that turns Janus's files into one video in the call's chat."""
