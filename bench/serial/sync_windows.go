package main

// syncAll does nothing: Windows has no system-wide sync, only
// FlushFileBuffers per open file. The benchmark's runs there are not
// separated by writeback.
func syncAll() {}
