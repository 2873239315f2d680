<?php
/*
 * Stand-in for Composer's vendor/autoload.php in the test LMS 28 (tests/e2e/lms28.py copies it
 * to vendor/autoload.php; the LMS tarball itself stays unmodified). Composer's registry is not
 * reachable here, so:
 *  - LMS's own classes (lib/, plugins/) come from vendor/lmstv-classmap.php, the classmap that
 *    bridge/data/lms-classmap.php generates (what `composer dump-autoload` would give);
 *  - phine/observer + phine/exception are copied from the LMS 1.11.17 tarball (not in Debian);
 *  - the other third-party libraries are Debian's packages under /usr/share/php;
 *  - vendor/lmstv-stubs/<Class>.php stands in for libraries the TV screens never reach.
 */

(static function (): void {
    $vendor = __DIR__;
    spl_autoload_register(static function (string $class) use ($vendor): void {
        // Read on every miss: `lmstv plugin install` rewrites it while `php -S` keeps running.
        static $map = null;
        static $mtime = null;
        $file = $vendor . '/lmstv-classmap.php';
        clearstatcache(true, $file);
        if ($map === null || $mtime !== filemtime($file)) {
            $map = is_file($file) ? require $file : [];
            $mtime = filemtime($file);
        }
        if (isset($map[$class])) {
            require $map[$class];
            return;
        }
        if (strncmp($class, 'Phine\\', 6) === 0) {
            [, $package] = explode('\\', $class, 3);
            $path = $vendor . '/phine/' . strtolower($package) . '/src/lib/' . str_replace('\\', '/', $class) . '.php';
            if (is_file($path)) {
                require $path;
            }
            return;
        }
        $stub = $vendor . '/lmstv-stubs/' . str_replace('\\', '_', $class) . '.php';
        if (is_file($stub)) {
            require $stub;
        }
    });
})();

define('SMARTY_DIR', '/usr/share/php/smarty4/');
require_once '/usr/share/php/smarty4/bootstrap.php';
foreach ([
    '/usr/share/php/libphp-phpmailer/autoload.php',
    '/usr/share/php/HTMLPurifier/Bootstrap.php',
    '/usr/share/php/HTMLPurifier.autoload.php',
    '/usr/share/php/Parsedown/autoload.php',
    '/usr/share/php/Ramsey/Uuid/autoload.php',
    '/usr/share/php/GuzzleHttp/autoload.php',
    '/usr/share/php/phpseclib3/autoload.php',
    '/usr/share/php/tcpdf/autoload.php',
] as $debianAutoload) {
    require_once $debianAutoload;
}
unset($debianAutoload);
