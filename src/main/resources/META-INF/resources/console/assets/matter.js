// The Matter pages' behaviour beyond htmx: scanning a device's QR code with the camera where the browser can
// (BarcodeDetector and getUserMedia, feature-detected; elsewhere the code is typed or pasted).
(function () {
  'use strict';

  var stream = null;
  var timer = null;

  function el(id) { return document.getElementById(id); }

  function say(text) {
    var status = el('scan-status');
    if (status) status.textContent = text;
  }

  function stop() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    var video = el('scan-video');
    if (video) { video.srcObject = null; video.hidden = true; }
    el('scan-start').hidden = false;
    el('scan-stop').hidden = true;
  }

  function scan(detector, video) {
    detector.detect(video).then(function (codes) {
      var matter = codes.map(function (c) { return c.rawValue || ''; })
        .filter(function (v) { return v.toUpperCase().indexOf('MT:') === 0; })[0];
      if (matter) {
        el('code').value = matter;
        stop();
        say('Read the QR code. Check how the device joins the network, then commission it.');
        el('code').focus();
        return;
      }
      timer = setTimeout(function () { scan(detector, video); }, 250);
    }, function () {
      timer = setTimeout(function () { scan(detector, video); }, 500);
    });
  }

  function start() {
    var video = el('scan-video');
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      el('scan-start').hidden = true;
      el('scan-stop').hidden = false;
      say('Hold the QR code in front of the camera.');
      return video.play();
    }).then(function () {
      scan(new window.BarcodeDetector({ formats: ['qr_code'] }), video);
    }).catch(function (e) {
      stop();
      say('The camera could not be used (' + (e && e.name ? e.name : 'refused') + '): type or paste the code.');
    });
  }

  function setUp() {
    var box = el('scan');
    if (!box || !('BarcodeDetector' in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
    Promise.resolve(window.BarcodeDetector.getSupportedFormats ? window.BarcodeDetector.getSupportedFormats() : ['qr_code'])
      .then(function (formats) {
        if (formats.indexOf('qr_code') < 0) return;
        box.hidden = false;
        el('scan-start').addEventListener('click', start);
        el('scan-stop').addEventListener('click', function () { stop(); say(''); });
      });
  }

  document.addEventListener('DOMContentLoaded', setUp);
})();
