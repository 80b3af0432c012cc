package ios

import "testing"

func TestIOSFSPaths(t *testing.T) {
	cases := []struct {
		path, stripped, staging string
		unusual                 bool
	}{
		{"/usr/sbin/filecoordinationd/123e4567-e89b-12d3-a456-426614174000", "/usr/sbin/filecoordinationd", "", false},
		{"/usr/sbin/filecoordinationd/123e4567-e89b-12d3-a456-42661417400Z", "/usr/sbin/filecoordinationd/123e4567-e89b-12d3-a456-42661417400Z", "", false},
		{"/private/var/db/com.apple.xpc.roleaccountd.staging/x", "/private/var/db/com.apple.xpc.roleaccountd.staging/x", "/private/var/db/", true},
		{"/var/db/x", "/var/db/x", "/private/var/db/", true},
		{"/private/var/tmp/stagingd", "/private/var/tmp/stagingd", "/private/var/tmp/", true},
		// /tmp is the same folder as /private/var/tmp on iOS (a symlink).
		{"/tmp/stagingd", "/tmp/stagingd", "/private/var/tmp/", true},
		{"/private/tmp/stagingd", "/private/tmp/stagingd", "/private/var/tmp/", true},
		{"/private/var/tmpfoo/x", "/private/var/tmpfoo/x", "", true},
		{"/private/var/containers/Bundle/Application/U/A.app/A", "/private/var/containers/Bundle/Application/U/A.app/A", "", false},
		{"/private/var/mobile/Library/x", "/private/var/mobile/Library/x", "", true},
		// Watch-face bundles iOS unpacks for a paired watch (seen on a real phone).
		{"/private/var/mobile/Library/NanoTimeKit/FaceSupport/ExtractedBundles/19D52/F.bundle/F", "/private/var/mobile/Library/NanoTimeKit/FaceSupport/ExtractedBundles/19D52/F.bundle/F", "", false},
		{"/private/var/mobile/Library/NanoTimeKit/x", "/private/var/mobile/Library/NanoTimeKit/x", "", true},
		{"kernel_task", "kernel_task", "", false},
		{"/123e4567-e89b-12d3-a456-426614174000", "/123e4567-e89b-12d3-a456-426614174000", "", true},
	}
	for _, c := range cases {
		if got := StripUUIDSuffix(c.path); got != c.stripped {
			t.Errorf("StripUUIDSuffix(%q) = %q", c.path, got)
		}
		if got := StagingDir(c.path); got != c.staging {
			t.Errorf("StagingDir(%q) = %q", c.path, got)
		}
		if got := UnusualExecPath(c.path); got != c.unusual {
			t.Errorf("UnusualExecPath(%q) = %v", c.path, got)
		}
	}
}
