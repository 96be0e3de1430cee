package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/qr"
)

// fakeCamera writes an MJPEG file (JPEG frames one after another, what
// Chromium's --use-file-for-fake-video-capture plays) showing a QR code of
// text in the middle of a 640x480 white frame.
func fakeCamera(t *testing.T, text string) string {
	t.Helper()
	pngData, err := qr.PNG(text, 360)
	require.NoError(t, err)
	code, err := png.Decode(bytes.NewReader(pngData))
	require.NoError(t, err)
	frame := image.NewRGBA(image.Rect(0, 0, 640, 480))
	draw.Draw(frame, frame.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	b := code.Bounds()
	at := image.Pt((640-b.Dx())/2, (480-b.Dy())/2)
	draw.Draw(frame, image.Rectangle{Min: at, Max: at.Add(b.Size())}, code, b.Min, draw.Src)
	var one bytes.Buffer
	require.NoError(t, jpeg.Encode(&one, frame, &jpeg.Options{Quality: 90}))
	path := filepath.Join(t.TempDir(), "camera.mjpeg")
	require.NoError(t, os.WriteFile(path, bytes.Repeat(one.Bytes(), 30), 0o644))
	return path
}

// TestDeviceAddedFromItsKeyQRCode adds a device by showing its
// "[fp/path]tpub" QR code to the camera (Chromium's fake camera plays the
// frames): the key lands in the form and the device is added with it.
func TestDeviceAddedFromItsKeyQRCode(t *testing.T) {
	k := accountKey(t, 33, 84, 1, 0)
	app := startApp(t, 3*time.Minute, cameraFlags(fakeCamera(t, k.line()))...)
	ctx, shot := app.ctx, app.shot

	useOffline(t, ctx, app.rl)
	goHash(t, ctx, "#/devices/new")
	waitHeading(t, ctx, "Add a device")
	fill(t, ctx, "input[name=name]", "SeedSigner")
	fill(t, ctx, "select[name=type]", "seedsigner")
	clickButton(t, ctx, "Start the camera")
	waitJS(t, ctx, "the scanned key", `document.querySelector("textarea[name=keys]").value !== ""`)
	require.Equal(t, "["+k.fingerprint+"/"+k.path+"]"+k.tpub, eval[string](t, ctx, `document.querySelector("textarea[name=keys]").value`))
	waitJS(t, ctx, "the key preview", `document.querySelector("main table caption") && document.querySelector("main table caption").textContent === "1 key found"`)
	shot.take(t, ctx, "device-scanned")
	clickButton(t, ctx, "Add the device")
	waitHeading(t, ctx, "SeedSigner")
	require.Equal(t, []string{k.tpub}, tableColumn(t, ctx, 2))
}
