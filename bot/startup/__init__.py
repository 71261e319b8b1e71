"""What stops postgate at start, said in one line: the setting, what is wrong, the fix."""
