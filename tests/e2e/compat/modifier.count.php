<?php
// Smarty modifier for the e2e LMS copy: LMS 1.11.17 templates count unset lists (fatal in PHP 8).
function smarty_modifier_count($value, $mode = 0)
{
	if ($value === null || $value === '')
		return 0;
	if (is_array($value) || $value instanceof Countable)
		return count($value, (int) $mode);
	return 1;
}
