package iostats

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// WriteOutputs writes rep as GORUN_IOSTATS=spec asks where no launcher
// does it (rank 0 under srun, a program run alone): the text to text and,
// unless spec is "1", the JSON to the file spec and the SVG timeline
// beside it (spec less ".json", plus ".svg").
func (rep *Report) WriteOutputs(spec string, text io.Writer) error {
	if err := rep.WriteText(text); err != nil {
		return err
	}
	if spec == "1" {
		return nil
	}
	if err := writeFile(spec, rep.WriteJSON); err != nil {
		return err
	}
	return writeFile(SVGPath(spec), rep.WriteSVG)
}

// SVGPath is where the SVG goes beside the JSON report at path.
func SVGPath(path string) string { return strings.TrimSuffix(path, ".json") + ".svg" }

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("iostats: %w", err)
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("iostats: writing %s: %w", path, err)
	}
	return nil
}
