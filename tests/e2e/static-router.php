<?php
// Router of the browser tests' `php -S` (test scaffolding only, never part of php-shim/):
// PHP requests go on unchanged (return false); a static file (JS, CSS, images, fonts) is sent
// as `php -S` would, plus Cache-Control and Last-Modified. `php -S` itself sends neither, so
// Chromium fetched the ~100 files of every LMS page again on every page load, each through
// one of the server's two PHP workers: about half of a page's time. A test tree's static files
// never change while its server runs (installing the shim or plugin adds and removes files, it
// does not rewrite LMS's), so the session's Chromium may keep them.
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
$file = $_SERVER['DOCUMENT_ROOT'] . $path;
$ext = strtolower(pathinfo($path, PATHINFO_EXTENSION));
$types = [
	'js' => 'application/javascript', 'mjs' => 'application/javascript',
	'css' => 'text/css', 'map' => 'application/json', 'json' => 'application/json',
	'png' => 'image/png', 'gif' => 'image/gif', 'jpg' => 'image/jpeg', 'jpeg' => 'image/jpeg',
	'svg' => 'image/svg+xml', 'ico' => 'image/x-icon', 'webp' => 'image/webp',
	'woff' => 'font/woff', 'woff2' => 'font/woff2', 'ttf' => 'font/ttf', 'otf' => 'font/otf',
	'eot' => 'application/vnd.ms-fontobject',
];
if (!isset($types[$ext]) || strpos($path, '..') !== false || !is_file($file))
	return false;
header('Content-Type: ' . $types[$ext]);
header('Cache-Control: max-age=3600');
header('Last-Modified: ' . gmdate('D, d M Y H:i:s', filemtime($file)) . ' GMT');
header('Content-Length: ' . filesize($file));
readfile($file);
