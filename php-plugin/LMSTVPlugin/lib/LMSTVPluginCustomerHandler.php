<?php

/*
 * customerinfo_before_display and customeredit_before_display: the customer page's "Konta TV"
 * and TV messages boxes (templates/customer/*.html append them to LMS's blocks). The logic is
 * the shim's customer.tv.inc.php, run with the variables it has on LMS 1.11.17.
 */

class LMSTVPluginCustomerHandler
{
    public function customerInfoBeforeDisplay(array $hook_data)
    {
        $this->customerBox($hook_data);
        return $hook_data;
    }

    public function customerEditBeforeDisplay(array $hook_data)
    {
        $this->customerBox($hook_data);
        return $hook_data;
    }

    /**
     * The "Konta TV" and TV messages boxes: the shim's customer.tv.inc.php (a TV form POST first,
     * then the box's one bridge request), run with the variables it has on LMS 1.11.17.
     */
    private function customerBox(array $hook_data)
    {
        global $layout, $SESSION, $AUTH, $LMS;
        // xajax calls of the customer page carry no TV form and show no box
        if (isset($_POST['xjxfun']) || empty($hook_data['customerinfo']['id'])) {
            return;
        }
        $SMARTY = $hook_data['smarty'];
        $customerid = intval($hook_data['customerinfo']['id']);
        include LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . 'customer.tv.inc.php';
    }
}
