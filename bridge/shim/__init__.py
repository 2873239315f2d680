"""Installing the PHP shim (``php-shim/``) into an LMS 1.11.x tree, and taking it out again.

``edits`` holds the anchored changes to LMS's own files, ``installer`` copies the shim's files
and applies/undoes the edits with backups and a manifest, ``patches`` renders the same edits as
plain unified diffs for operators who patch by hand.
"""
