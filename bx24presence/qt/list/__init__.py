"""The colleague list: model, search and filter proxy, view, row painting, badges, keys."""
