package samplegen

import (
	"encoding/json"
	"fmt"
	"os"
)

// WriteSampleIndicators writes a small STIX 2.1 bundle whose indicators are
// the planted values, attributed to a made-up campaign. It describes no
// real operation and no real person.
func WriteSampleIndicators(p string) error {
	const created = "2024-03-01T00:00:00.000Z"
	malwareID := "malware--00000000-0000-4000-8000-00000000d301"
	objs := []map[string]any{
		{"type": "malware", "spec_version": "2.1", "id": malwareID, "created": created, "modified": created,
			"name": PlantedCampaign, "is_family": false,
			"description": "Synthetic spyware invented for huella's demo and benchmarks. Not a real operation."},
	}
	patterns := []string{
		fmt.Sprintf("[domain-name:value = '%s']", PlantedDomain),
		fmt.Sprintf("[process:name = '%s']", PlantedProcess),
		fmt.Sprintf("[process:name = '%s']", PlantedTCCClient),
		fmt.Sprintf("[app:id = '%s']", PlantedPackage),
		fmt.Sprintf("[file:hashes.sha256 = '%s']", PlantedAPKSHA256),
		fmt.Sprintf("[x509-certificate:hashes.'SHA-256' = '%s']", PlantedCertSHA256),
		fmt.Sprintf("[x509-certificate:hashes.'SHA-1' = '%s']", PlantedCertSHA1),
	}
	for i, pat := range patterns {
		id := fmt.Sprintf("indicator--00000000-0000-4000-8000-0000000%05d", i+1)
		objs = append(objs,
			map[string]any{"type": "indicator", "spec_version": "2.1", "id": id, "created": created, "modified": created,
				"name": PlantedCampaign, "pattern": pat, "pattern_type": "stix", "valid_from": created,
				"indicator_types": []string{"malicious-activity"}},
			map[string]any{"type": "relationship", "spec_version": "2.1", "created": created, "modified": created,
				"id": fmt.Sprintf("relationship--00000000-0000-4000-8000-0000000%05d", i+1), "relationship_type": "indicates",
				"source_ref": id, "target_ref": malwareID})
	}
	b, err := json.MarshalIndent(map[string]any{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-00000000d300", "objects": objs}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(p, append(b, '\n'), 0o644)
}
