"""What the demo tickets say, in English and Chinese: issues, details and the desk's phrases."""

from __future__ import annotations

from dataclasses import dataclass

from tickets.models import ResolutionCode, TicketType

SERVICE_DESK = "Service Desk"
NETWORK = "Network & Infrastructure"
ENGINEERING = "Engineering liaison"


@dataclass(frozen=True)
class Text:
    """What one issue looks like in one language."""

    subjects: tuple[str, ...]
    body: str
    hint: str  # the agent's first reply
    fix: str  # the resolution summary


@dataclass(frozen=True)
class Issue:
    key: str
    category: tuple[str, str]
    type: str
    weight: float
    code: str
    en: Text
    zh: Text
    # The tier-2/3 team that takes it over when the service desk cannot fix it.
    specialists: str | None = None
    on_hold_likely: bool = False


ISSUES = [
    Issue(
        "printer_offline", ("Hardware", "Printers & scanners"), TicketType.INCIDENT, 9, ResolutionCode.FIXED,
        Text(
            ("Printer offline", "Printer on floor {floor} shows offline", "Cannot print to the {floor}F printer"),
            "Since {since} the printer next to the kitchen on floor {floor} shows as offline on my laptop. "
            "Other people seem to have the same problem. I need to print contracts today.",
            "Thanks for reporting this. I can see the printer queue is stuck on the print server; I am restarting "
            "it now. Could you try again in ten minutes?",
            "The print queue on the print server was stuck. Restarted the spooler and cleared the queue; printing "
            "works again for the whole floor.",
        ),
        Text(
            ("打印机无法连接", "{floor}楼打印机显示脱机", "无法打印到{floor}楼打印机"),
            "从{since}开始，{floor}楼茶水间旁边的打印机在我的电脑上显示脱机，其他同事好像也一样。今天需要打印合同，麻烦尽快处理。",
            "感谢反馈。打印服务器上的队列卡住了，我正在重启服务，请十分钟后再试一下。",
            "打印服务器的打印队列卡住了。已重启打印服务并清空队列，整层楼恢复正常打印。",
        ),
    ),
    Issue(
        "printer_jam", ("Hardware", "Printers & scanners"), TicketType.INCIDENT, 4, ResolutionCode.FIXED,
        Text(
            ("Printer keeps jamming", "Paper jam in the colour printer on floor {floor}"),
            "The colour printer on floor {floor} jams every few pages, even after I removed the paper. "
            "It shows error E-204.",
            "Thanks — I have asked facilities to check the printer. Please use the printer on the other side "
            "of the floor in the meantime.",
            "The pickup roller was worn. The vendor replaced it; the printer has been tested with 100 pages.",
        ),
        Text(
            ("打印机卡纸", "{floor}楼彩色打印机频繁卡纸"),
            "{floor}楼的彩色打印机每打几页就卡纸，已经把纸取出来了还是一样，屏幕显示错误 E-204。",
            "收到，已安排同事检查打印机。请先使用楼层另一侧的打印机。",
            "搓纸轮磨损，供应商已更换，测试打印 100 页正常。",
        ),
        on_hold_likely=True,
    ),
    Issue(
        "vpn_drops", ("Network", "VPN"), TicketType.INCIDENT, 9, ResolutionCode.FIXED,
        Text(
            ("VPN drops every few minutes", "VPN keeps disconnecting", "Cannot stay connected to VPN from home"),
            "Working from home today and the VPN disconnects every 5–10 minutes. My home internet is fine. "
            "It started {since}.",
            "Thanks for the details. Could you tell me which VPN client version you have (Help › About)? "
            "I am checking the gateway logs in the meantime.",
            "The VPN client was an old version that does not support the new gateway settings. Updated the client "
            "remotely; the connection has been stable for two hours.",
        ),
        Text(
            ("VPN 连接断开", "VPN 经常掉线", "在家无法稳定连接 VPN"),
            "今天在家办公，VPN 每隔五到十分钟就断开一次，家里网络是正常的。从{since}开始出现。",
            "感谢提供信息。请告诉我您的 VPN 客户端版本（帮助 › 关于），我先检查一下网关日志。",
            "VPN 客户端版本过旧，不支持新的网关配置。已远程升级客户端，连接已稳定两个小时。",
        ),
        specialists=NETWORK,
    ),
    Issue(
        "wifi_meeting_room", ("Network", "Wi-Fi"), TicketType.INCIDENT, 6, ResolutionCode.FIXED,
        Text(
            ("No Wi-Fi in meeting room {room}", "Wi-Fi in meeting room {room} very slow"),
            "In meeting room {room} the Wi-Fi is either not found or extremely slow. We have a customer call "
            "there every afternoon.",
            "Thanks, I will check the access point for that room. Does the problem happen with phones as well, "
            "or only laptops?",
            "The access point in that room had failed over to a neighbouring channel. Replaced the access point; "
            "signal and speed tested in the room.",
        ),
        Text(
            ("会议室 Wi-Fi 无法连接", "{room}会议室 Wi-Fi 很慢"),
            "{room}会议室里搜不到 Wi-Fi，或者连上了也非常慢。我们每天下午都在那里和客户开会。",
            "收到，我会检查该会议室的无线接入点。请问手机也有同样的问题吗，还是只有笔记本？",
            "该会议室的无线接入点故障，已更换新的接入点，并在现场测试了信号和速度。",
        ),
        specialists=NETWORK,
    ),
    Issue(
        "network_port", ("Network", "Wired network"), TicketType.INCIDENT, 3, ResolutionCode.FIXED,
        Text(
            ("Network port at my desk not working", "No wired connection at desk {floor}.{desk}"),
            "The network socket at my desk ({floor}.{desk}) gives no connection. I tried another cable.",
            "Thanks. I will check the switch port for your desk. Wi-Fi should work for you in the meantime.",
            "The switch port was disabled after the office move. Re-enabled it and patched the socket.",
        ),
        Text(
            ("工位网口没有网络", "{floor}.{desk} 工位有线网络不通"),
            "我工位（{floor}.{desk}）的网口没有网络，换了网线也不行。",
            "收到，我会检查您工位对应的交换机端口，暂时请先使用 Wi-Fi。",
            "办公室搬迁后交换机端口被禁用，已重新启用并完成跳线。",
        ),
        specialists=NETWORK,
    ),
    Issue(
        "password_reset", ("Account & access", "Password reset"), TicketType.SERVICE_REQUEST, 10,
        ResolutionCode.FULFILLED,
        Text(
            ("Password reset", "Forgot my password", "Please reset my password"),
            "I forgot my password after the holidays and cannot sign in to my laptop or e-mail.",
            "I have sent a one-time password to your mobile number on file. Please sign in with it and choose "
            "a new password.",
            "Password reset with identity check by phone; the requester signed in and set a new password.",
        ),
        Text(
            ("密码重置", "忘记密码", "请帮我重置密码"),
            "假期回来忘记了密码，电脑和邮箱都登录不了。",
            "已向您登记的手机号发送一次性密码，请用它登录后设置新密码。",
            "电话核实身份后已重置密码，用户已登录并设置新密码。",
        ),
    ),
    Issue(
        "account_locked", ("Account & access", "Password reset"), TicketType.INCIDENT, 5, ResolutionCode.FIXED,
        Text(
            ("Account locked", "Account locked after password change"),
            "I changed my password this morning and now my account is locked. My phone probably still uses "
            "the old password.",
            "I have unlocked the account. Please update the password on your phone's mail app first, otherwise "
            "it will lock again.",
            "Unlocked the account; the old password stored on the phone caused the lockouts and was updated.",
        ),
        Text(
            ("账户被锁定", "修改密码后账户被锁定"),
            "今天早上改了密码，现在账户被锁定了，可能是手机上还在用旧密码。",
            "已为您解锁账户。请先在手机邮件应用中更新密码，否则还会被锁定。",
            "已解锁账户；手机上保存的旧密码导致反复锁定，已更新。",
        ),
    ),
    Issue(
        "shared_drive", ("Account & access", "Permissions"), TicketType.SERVICE_REQUEST, 6,
        ResolutionCode.FULFILLED,
        Text(
            ("Access to shared drive {share}", "Need access to the {share} folder"),
            "I joined the team last week and need read and write access to {share}. My manager has approved it.",
            "Thanks. I have asked the folder owner to confirm the approval; I will grant access as soon as they "
            "reply.",
            "Access to the shared folder granted after approval by the folder owner. Sign out and in again to "
            "see it.",
        ),
        Text(
            ("申请共享盘访问权限", "需要访问 {share} 文件夹"),
            "我上周刚加入团队，需要 {share} 的读写权限，经理已经批准。",
            "收到，我已请文件夹负责人确认审批，确认后马上为您开通。",
            "文件夹负责人审批后已开通共享盘权限，请注销后重新登录即可看到。",
        ),
    ),
    Issue(
        "new_account", ("Account & access", "New account"), TicketType.SERVICE_REQUEST, 3,
        ResolutionCode.FULFILLED,
        Text(
            ("New starter account for {starter}", "Accounts for new colleague starting Monday"),
            "{starter} starts in our team on Monday. Please create e-mail, network login and access to the CRM.",
            "Thanks for the notice. I will prepare the accounts and send the credentials to you on Friday.",
            "E-mail, network login and CRM access created; welcome letter with first-login steps sent to the "
            "manager.",
        ),
        Text(
            ("新员工账号申请", "新同事下周一入职，申请账号"),
            "{starter}下周一入职我们团队，请开通邮箱、网络登录账号和 CRM 权限。",
            "收到，我会准备好账号，周五把登录信息发给您。",
            "已开通邮箱、网络账号和 CRM 权限，首次登录说明已发给部门经理。",
        ),
    ),
    Issue(
        "outlook_sync", ("Software", "Office applications"), TicketType.INCIDENT, 8, ResolutionCode.FIXED,
        Text(
            ("Outlook not syncing", "Outlook stuck on 'Updating folders'", "No new e-mails in Outlook since {since}"),
            "Outlook on my laptop has not received new e-mails since {since}. On my phone I can see them.",
            "Thanks. Could you close Outlook, open it again and tell me what the status bar at the bottom says?",
            "The local Outlook data file was corrupt. Rebuilt the profile; mail syncs again and nothing was lost.",
        ),
        Text(
            ("Outlook 邮件不同步", "Outlook 一直显示“正在更新文件夹”", "从{since}开始 Outlook 收不到新邮件"),
            "从{since}开始笔记本上的 Outlook 收不到新邮件，但手机上可以看到。",
            "收到。请关闭并重新打开 Outlook，然后告诉我底部状态栏显示什么。",
            "本地 Outlook 数据文件损坏，已重建配置文件，邮件恢复同步，没有丢失数据。",
        ),
    ),
    Issue(
        "teams_audio", ("Software", "Office applications"), TicketType.INCIDENT, 4, ResolutionCode.WORKAROUND,
        Text(
            ("No audio in Teams calls", "Teams meetings: others cannot hear me"),
            "In Teams meetings nobody can hear me, although my headset works in other apps.",
            "Thanks. In Teams, could you open Settings › Devices and check which microphone is selected?",
            "Teams was using the laptop's disabled internal microphone. Selected the headset and made it the "
            "default; a driver update is planned with the next patch cycle.",
        ),
        Text(
            ("Teams 会议没有声音", "Teams 会议中别人听不到我说话"),
            "开 Teams 会议时别人听不到我说话，但耳机在其他软件里是好的。",
            "收到。请在 Teams 的“设置 › 设备”中看一下选中的是哪个麦克风？",
            "Teams 使用了已禁用的内置麦克风，已改为耳机并设为默认设备；驱动更新将随下次补丁发布。",
        ),
    ),
    Issue(
        "excel_crash", ("Software", "Office applications"), TicketType.INCIDENT, 3, ResolutionCode.WORKAROUND,
        Text(
            ("Excel crashes when opening large files", "Excel freezes with the monthly report"),
            "Excel closes without a message when I open the monthly sales report (about 80 MB).",
            "Thanks. Could you send me the path of the file? I will try to open it on a test machine.",
            "A third-party add-in crashed with large files. Disabled the add-in; the vendor has been informed.",
        ),
        Text(
            ("Excel 打开大文件时崩溃", "打开月度报表时 Excel 卡死"),
            "打开每月销售报表（大约 80 MB）时 Excel 直接关闭，没有任何提示。",
            "收到。请把文件路径发给我，我在测试电脑上打开看看。",
            "第三方插件处理大文件时崩溃，已禁用该插件并通知供应商。",
        ),
    ),
    Issue(
        "software_install", ("Software", "Installation requests"), TicketType.SERVICE_REQUEST, 5,
        ResolutionCode.FULFILLED,
        Text(
            ("Please install {app}", "Software request: {app}"),
            "For a new project I need {app} on my laptop. Our team has a licence.",
            "Thanks. I have checked the licence pool; I will push {app} to your laptop tonight.",
            "Installed from the software centre with a licence from the team pool.",
        ),
        Text(
            ("申请安装 {app}", "软件申请：{app}"),
            "新项目需要在笔记本上安装 {app}，我们团队有许可证。",
            "收到，已核对许可证，今晚会把 {app} 推送到您的电脑。",
            "已通过软件中心安装，使用团队的许可证。",
        ),
    ),
    Issue(
        "erp_error", ("Software", "Business applications"), TicketType.INCIDENT, 4, ResolutionCode.FIXED,
        Text(
            ("Error when posting invoices in the ERP", "ERP: 'period closed' error on invoice posting"),
            "When I post supplier invoices in the ERP I get 'Posting period is closed'. The period should be "
            "open until the end of the week. Finance closing depends on it.",
            "Thanks. I can reproduce the error and am checking the period settings with the ERP team.",
            "The posting period had been closed early by a scheduled job with a wrong date. The ERP vendor "
            "corrected the job and reopened the period.",
        ),
        Text(
            ("ERP 系统过账报错", "ERP 发票过账提示“期间已关闭”"),
            "在 ERP 中过账供应商发票时提示“过账期间已关闭”，但本期应该到周末才关闭，财务结账等着用。",
            "收到，我已复现该错误，正在和 ERP 团队核对期间设置。",
            "定时任务日期配置错误导致过账期间被提前关闭，ERP 供应商已修正任务并重新打开期间。",
        ),
        specialists=ENGINEERING,
        on_hold_likely=True,
    ),
    Issue(
        "crm_save", ("Software", "Business applications"), TicketType.INCIDENT, 4, ResolutionCode.WORKAROUND,
        Text(
            ("CRM does not save customer changes", "CRM: 'record locked' when editing accounts"),
            "When I edit a customer account in the CRM and click Save, I get 'Record is locked by another user', "
            "although nobody else is working on it.",
            "Thanks. Could you send me the customer number? I will check who holds the lock.",
            "Stale locks after last week's CRM upgrade. The vendor released the locks and is preparing a patch; "
            "until then, closing the record tab before switching accounts avoids the problem.",
        ),
        Text(
            ("CRM 无法保存客户信息", "CRM 编辑客户时提示“记录已锁定”"),
            "在 CRM 中编辑客户资料点击保存时，提示“记录已被其他用户锁定”，但并没有其他人在编辑。",
            "收到。请把客户编号发给我，我查一下是谁占用了锁。",
            "上周 CRM 升级后残留的锁未释放。供应商已释放锁并在准备补丁；在此之前，切换客户前先关闭记录标签页即可避免。",
        ),
        specialists=ENGINEERING,
    ),
    Issue(
        "new_laptop", ("Hardware", "Laptops & desktops"), TicketType.SERVICE_REQUEST, 4,
        ResolutionCode.FULFILLED,
        Text(
            ("New laptop request", "Laptop replacement: battery lasts one hour"),
            "My laptop is four years old and the battery lasts about an hour. Could I get a replacement?",
            "Thanks. Your laptop is due for replacement; I have ordered a new one and will let you know when it "
            "arrives.",
            "New laptop handed over and data migrated; the old one was collected for recycling.",
        ),
        Text(
            ("申请新笔记本电脑", "笔记本更换：电池只能用一小时"),
            "我的笔记本已经用了四年，电池只能撑一个小时左右，可以申请更换吗？",
            "收到，您的电脑已到更换周期，新电脑已下单，到货后通知您。",
            "新电脑已交付并完成数据迁移，旧电脑已回收。",
        ),
        on_hold_likely=True,
    ),
    Issue(
        "slow_laptop", ("Hardware", "Laptops & desktops"), TicketType.INCIDENT, 5, ResolutionCode.FIXED,
        Text(
            ("Laptop very slow after update", "Laptop takes 10 minutes to start"),
            "Since the update {since} my laptop is extremely slow; starting takes about ten minutes.",
            "Thanks. I will connect remotely to have a look — is now a good time?",
            "A failed update kept retrying in the background. Repaired the update and cleaned the disk; start-up "
            "is back to under a minute.",
        ),
        Text(
            ("电脑更新后非常慢", "笔记本开机要十分钟"),
            "{since}更新之后电脑非常慢，开机要十分钟左右。",
            "收到，我远程连接看一下，现在方便吗？",
            "失败的系统更新在后台反复重试，已修复更新并清理磁盘，开机时间恢复到一分钟以内。",
        ),
    ),
    Issue(
        "dock_monitor", ("Configuration", "Device settings"), TicketType.INCIDENT, 3, ResolutionCode.FIXED,
        Text(
            ("Second monitor not detected", "Docking station does not show my second screen"),
            "When I connect my laptop to the docking station only one of the two monitors works.",
            "Thanks. Could you tell me the model of the docking station (label underneath)?",
            "Updated the docking station firmware and display driver; both monitors work.",
        ),
        Text(
            ("扩展坞无法识别第二台显示器", "第二台显示器不亮"),
            "笔记本接上扩展坞后，两台显示器只有一台能用。",
            "收到。请告诉我扩展坞的型号（底部标签）？",
            "已升级扩展坞固件和显卡驱动，两台显示器均正常。",
        ),
    ),
    Issue(
        "phone_mail", ("Configuration", "E-mail setup"), TicketType.QUESTION, 4, ResolutionCode.ANSWERED,
        Text(
            ("How do I set up work e-mail on my phone?", "Work e-mail on a new phone"),
            "I have a new phone. How do I get my work e-mail and calendar on it?",
            "Good question — I am sending you the step-by-step guide. Let me know if you get stuck.",
            "Sent the mobile e-mail guide; the requester enrolled the phone and mail and calendar work.",
        ),
        Text(
            ("如何在手机上设置公司邮箱", "新手机如何配置工作邮箱"),
            "我换了新手机，怎样在手机上使用工作邮箱和日历？",
            "好的，我把详细的配置说明发给您，有问题随时联系。",
            "已发送手机邮箱配置指南，用户完成设备注册，邮件和日历正常。",
        ),
    ),
    Issue(
        "company_phone", ("Hardware", "Phones & tablets"), TicketType.INCIDENT, 2, ResolutionCode.NO_FAULT,
        Text(
            ("Company phone not receiving calls", "Calls go straight to voicemail"),
            "Calls to my company mobile go straight to voicemail, although I have signal.",
            "Thanks. Could you check whether 'Do not disturb' or call forwarding is switched on?",
            "No fault found in the phone system; call forwarding to voicemail had been switched on by mistake.",
        ),
        Text(
            ("公司手机无法接听电话", "来电直接转到语音信箱"),
            "打到我公司手机的电话直接进入语音信箱，但手机信号是正常的。",
            "收到。请检查一下是否开启了“勿扰模式”或呼叫转移？",
            "电话系统无故障，手机误开启了转接到语音信箱，已关闭。",
        ),
    ),
    Issue(
        "equipment_return", ("Other", ""), TicketType.QUESTION, 2, ResolutionCode.ANSWERED,
        Text(
            ("Returning equipment when leaving", "What do I do with my laptop on my last day?"),
            "My last day is at the end of the month. How do I return my laptop and badge?",
            "Thanks for letting us know. Please bring the laptop, charger and badge to the IT counter on your "
            "last day; we will check it in with you.",
            "Explained the return process and booked a slot at the IT counter for the last day.",
        ),
        Text(
            ("离职设备归还流程咨询", "最后一天怎么归还电脑"),
            "我月底离职，请问电脑和工牌怎么归还？",
            "感谢告知。请在最后一天把电脑、充电器和工牌带到 IT 服务台，我们会和您一起办理归还。",
            "已说明归还流程，并预约了最后一天在 IT 服务台办理。",
        ),
    ),
]  # fmt: skip

DETAILS = {
    "en": {
        "room": ["Everest", "Kilimanjaro", "2.07", "B-301", "Harbour View"],
        "since": ["this morning", "yesterday afternoon", "Monday", "the last update"],
        "share": [r"\\fs01\finance", r"\\fs01\marketing", r"\\fs02\projects"],
        "app": ["Visio", "Power BI Desktop", "Notepad++", "Zoom", "AutoCAD LT"],
        "starter": ["Maria Lopez", "Jonas Weber", "Aisha Khan"],
    },
    "zh": {
        "room": ["黄山厅", "泰山厅", "3楼大会议室", "B-301"],
        "since": ["今天早上", "昨天下午", "周一", "上次更新后"],
        "share": [r"\\fs01\finance", r"\\fs01\marketing", r"\\fs02\projects"],
        "app": ["Visio", "Power BI Desktop", "Notepad++", "Zoom", "AutoCAD LT"],
        "starter": ["林晓", "郑浩", "孙悦"],
    },
}

PHRASES = {
    "en": {
        "greeting": "Hi {name},\n\n{text}\n\nBest regards,\n{agent}",
        "ask": [
            "Could you send a screenshot of the error message?",
            "When did this start, and does it also happen on another device?",
            "Could you restart the device and tell me whether the problem is still there?",
            "Are you in the office or working from home today?",
        ],
        "answer": [
            "Here is the screenshot — it says 'connection timed out'.",
            "It started yesterday afternoon. My colleague's laptop works fine.",
            "I restarted twice, still the same.",
            "I'm in the office today, desk 3.14.",
        ],
        "note": [
            "Checked the logs: nothing obvious on the server side.",
            "Two more people on the same floor mentioned this at the counter — possibly related.",
            "Looks like the known issue after last Tuesday's patch.",
            "Called the requester, no answer; will try again after lunch.",
        ],
        "escalate": "Cannot fix this at first level; handing over to {team}.",
        "takeover": "I have taken your request over from the service desk and am looking into it now. "
        "I will keep you posted here.",
        "hold": "Waiting for the vendor (case {case}); they promised an answer within a few days.",
        "handover": "Reassigning: {old} is out this week.",
        "reopen": [
            "Sorry, the problem is back since this morning.",
            "It worked for a day but now it's happening again.",
            "Unfortunately it still doesn't work for me.",
        ],
        "reopen_reply": "Sorry to hear that — I have reopened your request and will take another look today.",
        "outage": "We know about this disruption and are working on it under {reference}; we will update you here.",
        "praise": ["Quick and friendly, thank you!", "Solved in no time.", "Clear explanation, thanks."],
        "complaint": ["Took quite long.", "I had to explain the problem twice.", "The problem came back."],
    },
    "zh": {
        "greeting": "{name}，您好：\n\n{text}\n\n此致\n{agent}",
        "ask": [
            "请把错误信息截图发给我。",
            "问题是什么时候开始的？在其他设备上也会出现吗？",
            "请重启一下设备，然后告诉我问题是否还在。",
            "您今天在办公室还是在家办公？",
        ],
        "answer": [
            "截图如下，提示“连接超时”。",
            "昨天下午开始的，同事的电脑是正常的。",
            "重启了两次，还是一样。",
            "我今天在办公室，工位 3.14。",
        ],
        "note": [
            "查看了日志，服务器端没有明显异常。",
            "同一楼层另外两位同事也提到这个问题，可能有关联。",
            "看起来是上周二补丁后的已知问题。",
            "给用户打电话没人接，午饭后再联系。",
        ],
        "escalate": "一线无法解决，转交给 {team}。",
        "takeover": "我已从服务台接手您的请求，正在处理中，有进展会在这里通知您。",
        "hold": "等待供应商回复（工单号 {case}），对方承诺几天内答复。",
        "handover": "重新分派：{old} 本周休假。",
        "reopen": ["不好意思，今天早上问题又出现了。", "好了一天，现在又不行了。", "问题还是没有解决。"],
        "reopen_reply": "抱歉给您带来不便，已重新打开您的请求，今天会再处理。",
        "outage": "我们已知晓该故障，正在 {reference} 中统一处理，有进展会在这里通知您。",
        "praise": ["处理很快，谢谢！", "非常专业。", "解释得很清楚，谢谢。"],
        "complaint": ["等待时间有点长。", "问题说了两遍。", "问题又出现了。"],
    },
}
