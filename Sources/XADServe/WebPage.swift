/// The page at `GET /`: pick or drop an image, see its score, verdict and overlay, explain it with
/// a chosen method, and a gallery of the last requests. Plain HTML and a little JavaScript, served
/// from memory (no CDN, no files beside the binary).
///
/// The page forwards `?token=T` from its own address as a bearer token. `?sample=1` scores a
/// synthetic image drawn by the page itself (a striped texture with a red square), which is how
/// the headless-browser test drives it without a file dialog.
enum WebPage {
    /// The page, with a gallery of `galleryCount` entries.
    static func html(galleryCount: Int) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>XADKit inspection</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body { font: 15px system-ui, sans-serif; margin: 0; color: #1d2330; background: #f4f5f8; }
        header { background: #1d2330; color: #fff; padding: 12px 24px; display: flex; gap: 24px; align-items: baseline; }
        header h1 { font-size: 20px; margin: 0; } header span { color: #b8c0d0; }
        main { display: grid; grid-template-columns: 360px 1fr; gap: 20px; padding: 20px 24px; }
        section { background: #fff; border-radius: 8px; padding: 16px; box-shadow: 0 1px 3px #0002; }
        #drop { border: 2px dashed #8a94a8; border-radius: 8px; padding: 28px 12px; text-align: center; cursor: pointer; }
        #drop.over { background: #e6ecff; border-color: #3056d3; }
        .verdict { display: inline-block; padding: 3px 10px; border-radius: 12px; color: #fff; font-weight: 600; }
        .anomalous { background: #c62828; } .normal { background: #2e7d32; } .unknown { background: #777; }
        .pictures { display: flex; gap: 12px; flex-wrap: wrap; } .pictures figure { margin: 0; }
        .pictures img { width: 300px; max-width: 100%; border-radius: 4px; image-rendering: pixelated; }
        figcaption { font-size: 12px; color: #556; } #error { color: #c62828; white-space: pre-wrap; }
        #gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(110px, 1fr)); gap: 10px; }
        #gallery figure { margin: 0; cursor: pointer; } #gallery img { width: 100%; border-radius: 4px; }
        table { border-collapse: collapse; } td { padding: 2px 10px 2px 0; } select, button { font: inherit; }
        </style></head>
        <body>
        <header><h1>XADKit inspection</h1><span id="model">loading the model…</span></header>
        <main>
        <section>
          <div id="drop">Drop an image here, or click to pick one<br><small>PNG, JPEG, TIFF or BMP</small></div>
          <input id="file" type="file" accept="image/*" hidden>
          <p><label>Explanation: <select id="method"><option value="">none</option></select></label>
             <button id="explain" disabled>Explain</button></p>
          <div id="error"></div>
          <h3>Recent requests</h3><div id="gallery"></div>
        </section>
        <section id="result" hidden>
          <p><span id="verdict" class="verdict unknown"></span> score <b id="score"></b> <span id="detail"></span></p>
          <div class="pictures">
            <figure><img id="input" alt="input"><figcaption>input</figcaption></figure>
            <figure><img id="overlay" alt="anomaly overlay"><figcaption>anomaly map over the image</figcaption></figure>
          </div>
          <div id="explanation"></div>
          <table id="timings"></table>
        </section>
        </main>
        <script>
        const galleryCount = \(galleryCount);
        const params = new URLSearchParams(location.search);
        const token = params.get('token');
        const auth = token ? { 'Authorization': 'Bearer ' + token } : {};
        const $ = id => document.getElementById(id);
        let current = null, gallery = [];

        async function call(path, options = {}) {
          const response = await fetch(path, { ...options, headers: { ...auth, ...(options.headers || {}) } });
          const body = await response.json();
          if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
          return body;
        }

        async function loadModel() {
          try {
            const model = await call('/v1/model');
            $('model').textContent = model.detector + ' · threshold ' + (model.threshold ?? 'none') + ' · batch ' + model.limits.batchSize;
            for (const e of model.explainers) {
              const option = new Option(e.name + (e.unavailable ? ' (unavailable)' : ''), e.name);
              option.disabled = !!e.unavailable; option.title = e.unavailable || e.summary;
              $('method').add(option);
            }
          } catch (error) { $('model').textContent = error.message; }
        }

        async function score(blob, name) {
          $('error').textContent = '';
          try {
            const result = await call('/v1/score', { method: 'POST', body: blob, headers: { 'Content-Type': blob.type || 'application/octet-stream' } });
            current = { blob, name, result, input: URL.createObjectURL(blob) };
            show(current);
            gallery.unshift(current); gallery = gallery.slice(0, galleryCount); drawGallery();
            $('explain').disabled = !$('method').value;
            if ($('method').value) await explain();
          } catch (error) { $('error').textContent = name + ': ' + error.message; }
        }

        function show(entry) {
          const r = entry.result, label = r.label || 'unknown';
          $('result').hidden = false;
          $('result').dataset.score = r.score;
          $('verdict').textContent = label; $('verdict').className = 'verdict ' + label;
          $('score').textContent = r.score.toFixed(4);
          $('detail').textContent = (r.normalisedScore != null ? ' (normalised ' + r.normalisedScore.toFixed(3) + ')' : '') + ' · ' + r.width + '×' + r.height + ' · ' + entry.name;
          $('input').src = entry.input; $('overlay').src = r.overlay;
          $('explanation').innerHTML = '';
          timings(r.timings);
        }

        function timings(t) {
          $('timings').innerHTML = ['decodeMs', 'queueMs', 'computeMs', 'encodeMs', 'totalMs'].map(k =>
            '<tr><td>' + k.replace('Ms', '') + '</td><td>' + t[k].toFixed(1) + ' ms</td></tr>').join('') +
            '<tr><td>batch</td><td>' + t.batch + '</td></tr>';
        }

        async function explain() {
          if (!current || !$('method').value) return;
          $('error').textContent = ''; $('explain').disabled = true;
          try {
            const e = await call('/v1/explain?method=' + encodeURIComponent($('method').value), { method: 'POST', body: current.blob });
            const pictures = [['overlay', e.method + ' over the image'], ...Object.keys(e.images).sort().map(k => [k, e.method + ' ' + k])];
            $('explanation').innerHTML = '<h3 id="explained">' + e.method + ' (' + e.target + ' = ' + e.targetValue.toFixed(4) + ')</h3><div class="pictures">' +
              pictures.map(([k, caption]) => '<figure><img src="' + (k === 'overlay' ? e.overlay : e.images[k]) + '"><figcaption>' + caption + '</figcaption></figure>').join('') + '</div>';
            timings(e.timings);
          } catch (error) { $('error').textContent = error.message; }
          $('explain').disabled = false;
        }

        function drawGallery() {
          $('gallery').innerHTML = '';
          for (const entry of gallery) {
            const figure = document.createElement('figure');
            figure.innerHTML = '<img src="' + entry.result.overlay + '"><figcaption><span class="verdict ' + (entry.result.label || 'unknown') + '">' +
              entry.result.score.toFixed(3) + '</span></figcaption>';
            figure.onclick = () => { current = entry; show(entry); };
            $('gallery').append(figure);
          }
        }

        // A striped texture with a red square, drawn here: what ?sample=1 scores.
        function sampleImage() {
          const canvas = document.createElement('canvas'); canvas.width = canvas.height = 128;
          const g = canvas.getContext('2d');
          for (let x = 0; x < 128; x += 8) { g.fillStyle = x % 16 ? '#7a7f88' : '#8d929b'; g.fillRect(x, 0, 8, 128); }
          g.fillStyle = '#ff0000'; g.fillRect(44, 44, 32, 32);
          return new Promise(resolve => canvas.toBlob(resolve, 'image/png'));
        }

        const drop = $('drop');
        drop.onclick = () => $('file').click();
        $('file').onchange = () => { const f = $('file').files[0]; if (f) score(f, f.name); };
        drop.ondragover = e => { e.preventDefault(); drop.classList.add('over'); };
        drop.ondragleave = () => drop.classList.remove('over');
        drop.ondrop = e => { e.preventDefault(); drop.classList.remove('over'); const f = e.dataTransfer.files[0]; if (f) score(f, f.name); };
        $('method').onchange = () => { $('explain').disabled = !current || !$('method').value; };
        $('explain').onclick = explain;
        loadModel().then(async () => {
          if (params.get('method')) $('method').value = params.get('method');
          if (params.get('sample')) score(await sampleImage(), 'sample.png');
        });
        </script>
        </body></html>
        """
    }
}
