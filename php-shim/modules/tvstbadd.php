<?php

/*
 * lmstv — register an STB into stock (POST only); the form lives on TV → Lista STB.
 */

$tvstb_operation = 'stb_register';
include(__DIR__ . DIRECTORY_SEPARATOR . 'tvstblist.php');
