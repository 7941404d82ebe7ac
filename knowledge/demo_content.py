# ruff: noqa: E501 -- article prose: one markdown paragraph or step per line, as an author types it.
"""The demo knowledge base: the questions a service desk answers every week, in English and
Simplified Chinese (each topic is one article per language, linked as translations).

Plain data, no database: ``knowledge/demo.py`` writes it, and the relevance test set
(``tests/knowledge/relevance_articles.py``) searches it among other articles.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoText:
    title: str
    summary: str
    body: str


@dataclass(frozen=True)
class DemoTopic:
    key: str
    # A child category of accounts.demo.CATEGORIES.
    category: str
    tags: tuple[str, ...]
    # Login (before the @) of the demo agent who wrote it; a manager reviews it.
    author: str
    en: DemoText
    zh: DemoText
    visibility: str = "public"
    # Workflow state of each translation: most are published; a few are still being written.
    en_status: str = "published"
    zh_status: str = "published"


TOPICS: list[DemoTopic] = [
    DemoTopic(
        key="printer-offline",
        category="Printers & scanners",
        tags=("printer",),
        author="carol.agent",
        en=DemoText(
            "Printer shows offline or won't connect",
            "What to check when your computer cannot reach an office printer or lists it as offline.",
            """Most "printer offline" problems are the connection between your computer and the printer, not the printer itself.

## Steps
1. Look at the printer's display: if it shows an error (paper, toner, jam), fix that first.
2. Make sure you are on the office network (wired or the **Corp** Wi-Fi). The printers cannot be reached from the guest Wi-Fi or from home without the VPN.
3. On Windows open **Settings › Bluetooth & devices › Printers & scanners**, select the printer and choose **Open print queue**. Cancel stuck jobs, then in the **Printer** menu untick **Use Printer Offline**.
4. Remove the printer and add it again from `\\\\print01` (type the address in File Explorer and double-click the printer).
5. Restart your computer.

If the printer is offline for everyone on the floor, open a request with the printer's asset number (sticker on the front).""",
        ),
        zh=DemoText(
            "打印机连接故障排查",
            "电脑无法连接办公室打印机、或打印机显示脱机时的检查步骤。",
            """大多数"打印机脱机"问题出在电脑与打印机之间的连接，而不是打印机本身。

## 步骤
1. 查看打印机面板：如果提示缺纸、碳粉不足或卡纸，先处理这些错误。
2. 确认电脑连接的是办公网络（有线或 **Corp** 无线网络）。访客 WiFi 和未连 VPN 的家庭网络都无法访问打印机。
3. 在 Windows 中打开 **设置 › 蓝牙和其他设备 › 打印机和扫描仪**，选中打印机，点击 **打开打印队列**。取消卡住的任务，然后在 **打印机** 菜单中取消勾选 **脱机使用打印机**。
4. 删除该打印机，再从 `\\\\print01` 重新添加（在文件资源管理器地址栏输入该地址，双击打印机即可）。
5. 重启电脑。

如果同一楼层所有人都无法打印，请提交工单并注明打印机的资产编号（贴在打印机正面）。""",
        ),
    ),
    DemoTopic(
        key="printer-jam",
        category="Printers & scanners",
        tags=("printer",),
        author="li.wei",
        en=DemoText(
            "Clear a paper jam on the office printer",
            "How to remove jammed paper from the multifunction printers without damaging them.",
            """The display shows where the paper is stuck (tray, rear door or finisher).

1. Open the door the display points to. Do not pull paper towards you against the rollers: pull it in the direction it travels.
2. If the paper tears, remove every piece; a small scrap left inside causes the next jam.
3. Fan the paper before putting it back in the tray and do not fill above the line.
4. Close all doors; the printer resumes the job.

Labels, envelopes and thick card go through the bypass tray only. If paper keeps getting stuck in the same place, open a request: the rollers may need replacing.""",
        ),
        zh=DemoText(
            "多功能打印机卡纸处理",
            "如何在不损坏打印机的情况下取出卡住的纸张。",
            """打印机面板会显示卡纸的位置（纸盒、后盖或装订器）。

1. 打开面板提示的舱门。顺着纸张前进的方向取出纸张，不要逆着滚轮往外拉。
2. 如果纸张撕破，请把碎纸全部取出；残留的小纸片会导致再次卡纸。
3. 放回纸盒前先把纸张抖松，不要超过纸盒的最高刻度线。
4. 关好所有舱门，打印机会继续打印。

标签纸、信封和厚卡纸只能走手送纸盒。如果同一位置反复卡纸，请提交工单，可能需要更换滚轮。""",
        ),
    ),
    DemoTopic(
        key="vpn-connect",
        category="VPN",
        tags=("vpn", "remote-work"),
        author="zhang.min",
        en=DemoText(
            "Connect to the VPN from home",
            "Set up GlobalProtect and connect to the company network when you work remotely.",
            """You need the VPN to reach file shares, printers and internal sites when you work from home or travel.

## First time
1. Install **GlobalProtect** from the Company Portal (it is already on company laptops).
2. Open it from the system tray and enter the portal address `vpn.example.com`.
3. Sign in with your work e-mail and password and approve the sign-in in your authenticator app.

## Every day
Click the GlobalProtect icon and choose **Connect**. The icon shows a shield when you are connected.

## If it will not connect
- Check that your home internet works without the VPN.
- Hotel and guest networks often need you to accept their terms in a browser first.
- Quit GlobalProtect and open it again; if that does not help, restart the laptop.
- "Authentication failed" usually means your password expired: change it first (see *Reset your password*).""",
        ),
        zh=DemoText(
            "在家连接公司 VPN",
            "远程办公时安装 GlobalProtect 并连接公司网络。",
            """在家或出差时，访问共享盘、打印机和内部网站都需要先连接 VPN。

## 首次使用
1. 从公司门户安装 **GlobalProtect**（公司笔记本已预装）。
2. 在系统托盘中打开它，门户地址填写 `vpn.example.com`。
3. 用工作邮箱和密码登录，并在身份验证器应用中批准登录请求。

## 日常使用
点击 GlobalProtect 图标，选择 **连接**。连接成功后图标显示为盾牌。

## 连不上怎么办
- 先确认不连 VPN 时家里的网络是否正常。
- 酒店和访客网络通常需要先在浏览器里同意使用条款。
- 退出 GlobalProtect 后重新打开；仍不行请重启电脑。
- 提示"认证失败"通常是密码已过期：请先修改密码（见《重置密码》）。""",
        ),
    ),
    DemoTopic(
        key="vpn-drops",
        category="VPN",
        tags=("vpn", "remote-work"),
        author="dave.agent",
        en=DemoText(
            "VPN keeps disconnecting or is slow",
            "Why the VPN drops every few minutes or feels slow, and what you can change.",
            """The VPN sends all your traffic through the office, so a weak home connection shows up as a slow or dropping VPN.

- Use a cable or sit closer to your router; Wi-Fi in another room is the most common cause.
- Pause large downloads and cloud backups at home while you are on calls.
- In GlobalProtect choose **Settings › Gateway** and pick the gateway nearest to you instead of *Best available*.
- Video calls in Teams and Zoom do not need the VPN: disconnect it during a long meeting if only the call is slow.
- If the connection drops exactly every few minutes, your laptop may go to sleep: plug it in.

Still dropping? Open a request with the time it happened; the network team can see the gateway logs.""",
        ),
        zh=DemoText(
            "VPN 频繁断开或速度慢",
            "VPN 每隔几分钟就断线或网速很慢的原因，以及可以自己调整的设置。",
            """VPN 会把所有流量经由公司转发，所以家里网络不好时，表现出来就是 VPN 慢或频繁断开。

- 尽量用网线连接，或靠近路由器；隔着房间使用无线网络是最常见的原因。
- 开会时暂停家里的大文件下载和云备份。
- 在 GlobalProtect 中选择 **设置 › 网关**，手动选择离你最近的网关，而不是"最佳可用"。
- Teams 和 Zoom 视频会议不需要 VPN：如果只是会议卡，可以在长会议期间断开 VPN。
- 如果每隔固定几分钟就断一次，可能是电脑进入了睡眠：请接上电源。

仍然断线？请提交工单并写明断线的时间，网络组可以查看网关日志。""",
        ),
    ),
    DemoTopic(
        key="password-reset",
        category="Password reset",
        tags=("password", "account"),
        author="carol.agent",
        en=DemoText(
            "Reset your password",
            "Forgot your password? Reset it yourself in a few minutes on the password portal.",
            """You can reset your own password at any time, including outside office hours.

1. Go to `https://password.example.com` on any device (your phone works too).
2. Enter your work e-mail address and choose **Forgot my password**.
3. Confirm who you are with your authenticator app or the code sent to your registered mobile number.
4. Choose a new password: at least 14 characters; a short sentence is easier to remember than symbols.
5. Sign in again everywhere: laptop, Outlook on your phone, the VPN. Old sessions keep asking for the old password until you do.

Cannot receive the code? Call the service desk; we will check your identity and send a temporary password.""",
        ),
        zh=DemoText(
            "重置密码",
            "忘记密码？在密码自助门户几分钟内即可自行重置。",
            """你可以随时自行重置密码，下班时间也可以。

1. 在任何设备（手机也可以）上打开 `https://password.example.com`。
2. 输入工作邮箱，选择 **忘记密码**。
3. 通过身份验证器应用，或发送到登记手机号的验证码确认身份。
4. 设置新密码：至少 14 个字符；一句短句比一堆符号更容易记住。
5. 在所有地方重新登录：笔记本电脑、手机上的 Outlook、VPN。否则旧的会话会一直提示输入旧密码。

收不到验证码？请致电服务台，我们核实身份后会发给你临时密码。""",
        ),
    ),
    DemoTopic(
        key="account-locked",
        category="Password reset",
        tags=("account", "password"),
        author="sam.okafor",
        en=DemoText(
            "Account locked after too many sign-in attempts",
            "Why your account gets locked and how to unlock it yourself.",
            """Your account is locked for 15 minutes after several wrong passwords in a row. Often the wrong password is not typed by you but sent by an old device: a phone with your previous password keeps trying in the background.

## Unlock it
- Wait 15 minutes, or unlock it at once on `https://password.example.com` with **Unlock my account**.

## Stop it happening again
- After changing your password, update it on your phone's mail app, on any tablet, and in saved Wi-Fi settings.
- Remove old saved passwords from Windows Credential Manager.

If you are locked out again within minutes, call the service desk: we can see which device is sending the old password.""",
        ),
        zh=DemoText(
            "账号被锁定怎么办",
            "账号为什么会被锁定，以及如何自行解锁。",
            """连续多次输错密码后，账号会被锁定 15 分钟。很多时候输错密码的并不是你本人，而是旧设备：保存着旧密码的手机会在后台不断尝试登录。

## 解锁
- 等待 15 分钟，或在 `https://password.example.com` 选择 **解锁账号** 立即解锁。

## 避免再次被锁
- 修改密码后，同步更新手机邮件应用、平板以及已保存的无线网络设置中的密码。
- 删除 Windows 凭据管理器中保存的旧密码。

如果几分钟后又被锁定，请致电服务台：我们可以查到是哪台设备在发送旧密码。""",
        ),
    ),
    DemoTopic(
        key="mfa-new-phone",
        category="Password reset",
        tags=("mfa", "account", "phone"),
        author="li.wei",
        en=DemoText(
            "Move multi-factor authentication to a new phone",
            "Got a new phone? Move your authenticator app before you reset the old one.",
            """The sign-in codes live in the authenticator app on your phone. A new phone does not have them until you register it.

## While you still have the old phone
1. On a computer, open `https://mysignins.example.com` › **Security info**.
2. Choose **Add sign-in method › Authenticator app** and scan the QR code with the app on the new phone.
3. Approve a test sign-in on the new phone, then delete the old phone from the list.

## If the old phone is lost or wiped
You cannot approve sign-ins any more. Call the service desk: after checking your identity we issue a temporary access pass (valid for one hour) so that you can register the new phone yourself.""",
        ),
        zh=DemoText(
            "更换手机后迁移多因素认证",
            "换了新手机？在重置旧手机之前先迁移身份验证器应用。",
            """登录验证码保存在手机上的身份验证器应用里。新手机注册之前是没有验证码的。

## 旧手机还在手上时
1. 在电脑上打开 `https://mysignins.example.com` › **安全信息**。
2. 选择 **添加登录方式 › 身份验证器应用**，用新手机上的应用扫描二维码。
3. 在新手机上批准一次测试登录，然后从列表中删除旧手机。

## 旧手机丢失或已恢复出厂设置
你已无法批准登录请求，也收不到验证码。请致电服务台：核实身份后，我们会发放一个临时访问码（一小时内有效），你可以用它自行注册新手机。""",
        ),
    ),
    DemoTopic(
        key="outlook-password",
        category="E-mail setup",
        tags=("outlook", "email", "password"),
        author="carol.agent",
        en=DemoText(
            "Outlook keeps asking for your password",
            "Stop the repeated credential prompts in Outlook for Windows.",
            """Outlook asks again and again when it holds an old password or a broken sign-in token.

1. If you changed your password recently, sign out of Office: **File › Office Account › Sign out**, close Outlook and open it again.
2. Open **Credential Manager** from the Start menu, then **Windows Credentials**, and remove every entry that starts with `MicrosoftOffice` or mentions `outlook`.
3. Start Outlook and sign in once with your work e-mail.
4. Still prompting? Create a new profile: **Control Panel › Mail › Show Profiles › Add**, set it as default.

Do not type your password into a prompt that looks different from usual or appears in a browser: report it as phishing instead.""",
        ),
        zh=DemoText(
            "Outlook 反复提示输入密码",
            "解决 Windows 版 Outlook 不停弹出登录框的问题。",
            """Outlook 保存了旧密码或登录令牌损坏时，就会一直让你输入密码。

1. 如果最近改过密码，请先退出 Office 账号：**文件 › Office 账户 › 注销**，关闭 Outlook 后重新打开。
2. 在开始菜单中打开 **凭据管理器**，进入 **Windows 凭据**，删除所有以 `MicrosoftOffice` 开头或带有 `outlook` 的条目。
3. 启动 Outlook，用工作邮箱重新登录一次。
4. 仍然弹窗？新建一个配置文件：**控制面板 › 邮件 › 显示配置文件 › 添加**，并设为默认。

如果弹出的登录框和平时不一样，或者出现在浏览器里，请不要输入密码，按钓鱼邮件举报。""",
        ),
    ),
    DemoTopic(
        key="mailbox-full",
        category="Office applications",
        tags=("email", "outlook"),
        author="sam.okafor",
        en=DemoText(
            "Mailbox full: free up space",
            "Your mailbox is over its quota and you cannot send e-mail. Here is how to make room quickly.",
            """Each mailbox holds 50 GB. Above 49 GB you are warned; at 50 GB you can no longer send.

## Make room
1. In Outlook, sort the inbox by **Size** and delete or save the largest messages; attachments take most of the space.
2. Empty **Deleted Items** and **Junk Email** (right-click the folder › **Empty folder**).
3. Save attachments to OneDrive and send links instead of files.
4. Turn on the **online archive**: **File › Tools › Mailbox Cleanup › Archive**. Archived mail stays searchable and does not count towards your quota.

A bigger mailbox needs your manager's approval: open a request if you still need more space after cleaning up.""",
        ),
        zh=DemoText(
            "邮箱空间已满的清理方法",
            "邮箱超出容量后无法发送邮件，以下是快速腾出空间的方法。",
            """每个邮箱的容量为 50 GB。超过 49 GB 会收到警告，达到 50 GB 后将无法发送邮件。

## 腾出空间
1. 在 Outlook 中按 **大小** 排序收件箱，删除或另存最大的邮件；附件占用了大部分空间。
2. 清空 **已删除邮件** 和 **垃圾邮件**（右键文件夹 › **清空文件夹**）。
3. 把附件保存到 OneDrive，发送链接而不是文件。
4. 启用 **在线存档**：**文件 › 工具 › 邮箱清理 › 存档**。存档的邮件仍然可以搜索，并且不占用邮箱容量。

扩容需要经理审批：清理后仍然不够用，请提交工单申请。""",
        ),
    ),
    DemoTopic(
        key="phishing",
        category="Office applications",
        tags=("email", "security"),
        author="priya.rao",
        en=DemoText(
            "Report a suspicious e-mail",
            "Think an e-mail is phishing? Report it in two clicks, and what to do if you already clicked.",
            """Phishing e-mails pretend to be a colleague, a supplier or IT and ask you to sign in, pay an invoice or open an attachment.

## Warning signs
- Urgency: "your account will be closed today".
- A sender address that does not match the name, or a link whose address is not ours.
- Requests for passwords, codes or bank details. IT never asks for your password.

## Report it
In Outlook select the message and click **Report › Phishing**. The security team receives it and removes similar messages from other mailboxes.

## Already clicked or typed your password?
Change your password at once on `https://password.example.com` and call the service desk. Acting within minutes matters more than anything else.""",
        ),
        zh=DemoText(
            "举报可疑邮件（钓鱼邮件）",
            "怀疑收到钓鱼邮件？两步即可举报；如果已经点击了链接该怎么办。",
            """钓鱼邮件会冒充同事、供应商或 IT 部门，诱导你登录、付款或打开附件。

## 识别特征
- 制造紧迫感："你的账号今天将被关闭"。
- 发件人地址与显示名称不符，或链接地址不是公司的域名。
- 索要密码、验证码或银行账户信息。IT 部门绝不会索要你的密码。

## 举报
在 Outlook 中选中该邮件，点击 **报告 › 网络钓鱼**。安全团队会收到邮件，并从其他人的邮箱中删除相似邮件。

## 已经点击了链接或输入了密码？
立即在 `https://password.example.com` 修改密码，并致电服务台。几分钟内处理比什么都重要。""",
        ),
    ),
    DemoTopic(
        key="wifi-office",
        category="Wi-Fi",
        tags=("wifi", "network"),
        author="wang.fang",
        en=DemoText(
            "Connect to the office Wi-Fi",
            "Which wireless network to use in the office and how to join it with your work account.",
            """There are two networks in every office:

- **Corp**: for company laptops and phones. It gives access to printers, file shares and internal sites.
- **Guest**: internet only, for visitors and personal devices.

## Join Corp
1. Choose **Corp** in the list of wireless networks.
2. Sign in with your work e-mail and password (not your laptop PIN). Accept the certificate `radius.example.com` if asked.
3. Company laptops join automatically once they have been on the wired network once.

## Cannot connect?
- After a password change, select **Forget** on the network and join again with the new password.
- "Can't connect to this network" in one meeting room only: tell us the room name; an access point may be down.""",
        ),
        zh=DemoText(
            "连接办公室无线网络（WiFi）",
            "办公室应该连接哪个无线网络，以及如何用工作账号登录。",
            """每个办公室都有两个无线网络：

- **Corp**：供公司笔记本和手机使用，可以访问打印机、共享盘和内部网站。
- **Guest**：仅能上网，供访客和个人设备使用。

## 连接 Corp
1. 在无线网络列表中选择 **Corp**。
2. 用工作邮箱和密码登录（不是电脑的 PIN 码）。如有提示，请接受证书 `radius.example.com`。
3. 公司笔记本只要接过一次有线网络，之后会自动连接。

## 连不上 WiFi？
- 修改密码后，在该网络上选择 **忘记**，再用新密码重新连接。
- 只有某个会议室连不上：请告诉我们会议室名称，可能是那里的无线接入点故障。""",
        ),
    ),
    DemoTopic(
        key="laptop-slow",
        category="Laptops & desktops",
        tags=("laptop", "performance"),
        author="carol.agent",
        en=DemoText(
            "Laptop running slow",
            "Your computer is slow or freezes: the checks that fix most cases before you open a request.",
            """1. **Restart it.** Closing the lid is not a restart; many laptops run for weeks without one, and updates wait for it.
2. **Look at Task Manager** (Ctrl+Shift+Esc): sort by *Memory* and *CPU* and close what you do not need. Dozens of browser tabs use several GB of memory.
3. **Free disk space**: below 10 GB free, Windows slows down. Empty the recycle bin and the Downloads folder, and set OneDrive files to *online-only*.
4. **Install pending updates** in Software Center and restart.
5. Plug in the charger: on battery saver the processor runs slower.

If it is still slow after all of this, open a request and tell us what you were doing when it froze. Laptops older than four years are replaced: see *Request a new laptop* on the portal.""",
        ),
        zh=DemoText(
            "笔记本电脑运行缓慢、卡顿",
            "电脑很慢或卡死？提交工单前先做这些检查，大多数情况都能解决。",
            """1. **重启电脑。** 合上盖子不等于重启；很多电脑几周都没重启过，系统更新也在等待重启。
2. **打开任务管理器**（Ctrl+Shift+Esc）：按 *内存* 和 *CPU* 排序，关闭不需要的程序。浏览器开几十个标签页会占用好几 GB 内存。
3. **清理磁盘空间**：剩余空间少于 10 GB 时 Windows 会变慢。清空回收站和下载文件夹，并把 OneDrive 文件设为 *仅在线*。
4. **安装待更新的补丁**：在软件中心安装更新后重启。
5. 接上电源：省电模式下处理器会降频运行。

以上都做了电脑还是很卡，请提交工单，并说明卡死时你在做什么。使用超过四年的电脑可以申请更换。""",
        ),
    ),
    DemoTopic(
        key="monitor-dock",
        category="Laptops & desktops",
        tags=("laptop", "monitor"),
        author="tom.berg",
        en=DemoText(
            "External monitor not detected on the docking station",
            'Your laptop is docked but the external screen stays black or says "no signal".',
            """1. Check that the monitor is switched on and set to the right input (press the *Source* or *Input* button until you see **DisplayPort** or **HDMI**).
2. Undock the laptop, wait ten seconds and dock it again. Use the USB-C cable on the dock, not a phone charger cable.
3. Press **Windows + P** and choose **Extend**; then **Settings › System › Display › Detect**.
4. Try the other video port on the dock or another cable.
5. Install the dock firmware and display driver updates from Software Center and restart.

If a second screen works at another desk but not at yours, the dock is faulty: open a request with the desk number and we will swap it.""",
        ),
        zh=DemoText(
            "扩展坞外接显示器无信号",
            '笔记本已接上扩展坞，但外接显示器黑屏或提示"无信号"。',
            """1. 确认显示器已开机，并选择了正确的输入源（按 *Source* 或 *Input* 键，直到显示 **DisplayPort** 或 **HDMI**）。
2. 拔下扩展坞，等十秒后重新连接。请使用扩展坞自带的 USB-C 线，而不是手机充电线。
3. 按 **Windows + P** 选择 **扩展**；然后打开 **设置 › 系统 › 屏幕 › 检测**。
4. 换扩展坞上的另一个视频接口，或换一根线试试。
5. 在软件中心安装扩展坞固件和显卡驱动更新，然后重启。

如果副屏在别的工位正常、在你的工位不行，说明扩展坞有问题：请提交工单并注明工位号，我们来更换。""",
        ),
    ),
    DemoTopic(
        key="software-install",
        category="Installation requests",
        tags=("software",),
        author="sam.okafor",
        en=DemoText(
            "Install software from the Company Portal",
            "Most applications install themselves from the Company Portal without a request or an administrator.",
            """1. Open **Company Portal** (Start menu on Windows, Launchpad on a Mac).
2. Search for the application, for example *Visio*, *Power BI*, *Python* or *Adobe Acrobat Reader*.
3. Click **Install**. It runs in the background; you can keep working.

## Not in the portal?
Open a request in the category *Software › Installation requests* with the name and version of the application and why you need it. Paid software needs your manager's approval and a licence; we will tell you if a licence is already available.

You cannot install software yourself with administrator rights: that protects the laptop and keeps licences under control.""",
        ),
        zh=DemoText(
            "通过公司门户安装软件",
            "大多数软件都可以在公司门户中自助安装，无需提交工单，也不需要管理员权限。",
            """1. 打开 **公司门户**（Windows 在开始菜单中，Mac 在启动台中）。
2. 搜索需要的软件，例如 *Visio*、*Power BI*、*Python* 或 *Adobe Acrobat Reader*。
3. 点击 **安装**。安装在后台进行，不影响你继续工作。

## 门户里找不到？
请在 *软件 › 安装申请* 分类下提交工单，写明软件名称、版本以及用途。付费软件需要经理审批并购买许可证；如果已有空闲许可证，我们会告诉你。

员工不能自行用管理员权限安装软件：这样可以保护电脑安全，也便于管理许可证。""",
        ),
    ),
    DemoTopic(
        key="teams-audio",
        category="Office applications",
        tags=("teams", "meetings", "audio"),
        author="li.wei",
        en=DemoText(
            "No sound or microphone in Teams meetings",
            "Others cannot hear you, or you cannot hear them, in a Microsoft Teams call.",
            """1. In the meeting, click **More › Settings › Device settings** and choose the right **speaker** and **microphone**. Teams often picks the monitor's speakers or a headset that is switched off.
2. Check the mute switch on your headset and the microphone key on the laptop keyboard.
3. On Windows, open **Settings › Privacy & security › Microphone** and make sure Teams is allowed to use it.
4. Make a test call: **Settings › Devices › Make a test call**.
5. Leave the meeting and join again; if nothing changes, quit Teams completely (right-click the tray icon › **Quit**) and restart it.

Bluetooth headsets switch to low quality when the microphone is on; a USB headset is more reliable for long calls.""",
        ),
        zh=DemoText(
            "Teams 会议没有声音或麦克风无法使用",
            "Microsoft Teams 通话中别人听不到你，或你听不到别人。",
            """1. 在会议中点击 **更多 › 设置 › 设备设置**，选择正确的 **扬声器** 和 **麦克风**。Teams 经常选中显示器的扬声器，或一个没有开机的耳机。
2. 检查耳机上的静音开关，以及笔记本键盘上的麦克风键。
3. 在 Windows 中打开 **设置 › 隐私和安全性 › 麦克风**，确认允许 Teams 使用麦克风。
4. 拨打测试电话：**设置 › 设备 › 拨打测试电话**。
5. 退出会议后重新加入；仍然没有声音，请完全退出 Teams（右键托盘图标 › **退出**）再重新打开。

蓝牙耳机开启麦克风时音质会下降；长时间开会建议使用 USB 耳机。""",
        ),
    ),
    DemoTopic(
        key="shared-drive",
        category="Permissions",
        tags=("shared-drive", "permissions"),
        author="zhang.min",
        en=DemoText(
            "Get access to a shared drive",
            "How to request access to a team's shared folder on the file server, and how long it takes.",
            """Every shared folder has an owner, usually the head of the team. Access is given by the owner, not by IT alone.

1. Open a request in *Account & access › Permissions* with the folder path (for example `\\\\files01\\finance\\reports`) and whether you need to **read** or **change** files.
2. We ask the folder owner to approve. Mention the owner in the request if you know them: it saves a day.
3. Once approved, sign out of Windows and back in (or restart) so that your new group membership applies.

The folder is then available in File Explorer under **This PC**, or type the path in the address bar. From home you need the VPN.""",
        ),
        zh=DemoText(
            "申请共享盘（网络文件夹）权限",
            "如何申请访问部门在文件服务器上的共享文件夹，以及需要多长时间。",
            """每个共享文件夹都有负责人，通常是部门主管。访问权限由负责人批准，而不是由 IT 单方面开通。

1. 在 *账号与权限 › 权限* 分类下提交工单，写明文件夹路径（例如 `\\\\files01\\finance\\reports`），以及需要 **只读** 还是 **修改** 权限。
2. 我们会请文件夹负责人审批。如果你知道负责人是谁，请在工单里注明，可以节省一天时间。
3. 审批通过后，注销 Windows 再重新登录（或重启），新的权限组才会生效。

之后即可在文件资源管理器的 **此电脑** 下看到该文件夹，也可以直接在地址栏输入路径。在家访问需要先连接 VPN。""",
        ),
    ),
    DemoTopic(
        key="onedrive-sync",
        category="Office applications",
        tags=("onedrive", "files"),
        author="sam.okafor",
        en=DemoText(
            "OneDrive is not syncing",
            'Files stay on "sync pending", show a red cross, or changes do not appear on your other devices.',
            """1. Click the OneDrive cloud icon in the taskbar: it tells you what is wrong (signed out, paused, storage full, a file it cannot upload).
2. If sync is **paused**, choose **Resume syncing**.
3. File names cannot contain `" * : < > ? / \\ |` or end with a space, and a path cannot be longer than 400 characters: rename the file shown in the error.
4. Files open in another program (an Excel workbook, a PST file) do not sync until they are closed.
5. Still stuck? **Settings › Account › Unlink this PC**, then sign in again and choose the same folder. Nothing is deleted.

OneDrive is for your own files; team files belong in the team's SharePoint site or shared drive.""",
        ),
        zh=DemoText(
            "OneDrive 无法同步",
            '文件一直显示"等待同步"、出现红叉，或修改没有同步到其他设备。',
            """1. 点击任务栏中的 OneDrive 云朵图标：它会提示问题所在（已注销、已暂停、空间已满、某个文件无法上传）。
2. 如果同步已 **暂停**，请选择 **恢复同步**。
3. 文件名不能包含 `" * : < > ? / \\ |`，也不能以空格结尾，路径长度不能超过 400 个字符：请重命名错误提示中的文件。
4. 在其他程序中打开着的文件（如 Excel 工作簿、PST 文件）要关闭后才能同步。
5. 仍然不行？**设置 › 账户 › 取消链接此电脑**，然后重新登录并选择原来的文件夹。不会删除任何文件。

OneDrive 用于存放个人文件；部门文件请放在部门的 SharePoint 站点或共享盘中。""",
        ),
    ),
    DemoTopic(
        key="mobile-email",
        category="E-mail setup",
        tags=("email", "phone"),
        author="wang.fang",
        en=DemoText(
            "Set up work e-mail on your phone",
            "Read your work e-mail and calendar on an iPhone or Android phone with the Outlook app.",
            """We support the **Outlook** app on iOS and Android; the built-in Mail apps cannot meet the security policy.

1. Install **Microsoft Outlook** from the App Store or Google Play.
2. Open it and add your work e-mail address. Sign in and approve the request in your authenticator app.
3. When asked, install **Company Portal** and accept the work profile: it protects company data and lets you wipe only work data if the phone is lost.
4. Allow notifications if you want to be told about new mail.

Not receiving new mail on the phone? Open Outlook, go to **Settings**, tap your account and choose **Reset account**.""",
        ),
        zh=DemoText(
            "在手机上设置企业邮箱",
            "用 Outlook 应用在 iPhone 或安卓手机上收发工作邮件、查看日历。",
            """我们支持 iOS 和安卓上的 **Outlook** 应用；系统自带的邮件应用无法满足安全策略。

1. 在 App Store 或应用商店中安装 **Microsoft Outlook**。
2. 打开应用并添加工作邮箱，登录后在身份验证器应用中批准请求。
3. 按提示安装 **公司门户** 并接受工作资料：它保护公司数据，手机丢失时可以只清除工作数据。
4. 如需新邮件提醒，请允许通知。

手机上收不到新邮件？打开 Outlook，进入 **设置**，点击你的账号，选择 **重置账户**。""",
        ),
    ),
    DemoTopic(
        key="expenses",
        category="Business applications",
        tags=("expenses", "finance"),
        author="priya.rao",
        en=DemoText(
            "Submit an expense claim",
            "Claim back travel, meals and other business costs in the expenses system.",
            """1. Sign in to **Expenses** from the intranet home page.
2. Click **New report**, give it a purpose (for example *Customer visit Shanghai, March*).
3. Add each receipt: take a photo with the mobile app or upload a PDF. The amount and date are read from the receipt; check them.
4. Choose the cost centre and the project if your manager asked for one.
5. Click **Submit**. Your manager approves it, then finance pays it with the next salary run.

Claims must be submitted within 60 days. Reports in another currency are converted at the rate of the receipt date. Questions about a refused claim go to finance, not the service desk; problems signing in to the system come to us.""",
        ),
        zh=DemoText(
            "提交报销申请",
            "在费用报销系统中报销差旅、餐费和其他业务费用。",
            """1. 从内网首页登录 **费用报销** 系统。
2. 点击 **新建报销单**，填写事由（例如 *三月上海客户拜访*）。
3. 逐张添加发票：用手机应用拍照或上传 PDF。系统会自动识别金额和日期，请核对。
4. 选择成本中心，如经理要求，还需选择项目。
5. 点击 **提交**。经理审批后，财务会在下一次发薪时一并支付。

报销须在 60 天内提交。外币发票按发票日期的汇率折算。报销被退回的问题请咨询财务部；无法登录系统的问题请联系服务台。""",
        ),
    ),
    DemoTopic(
        key="bitlocker",
        category="Laptops & desktops",
        tags=("laptop", "security"),
        author="dave.agent",
        visibility="internal",
        en=DemoText(
            "Give a user their BitLocker recovery key",
            "Agents only: finding a laptop's recovery key and checking who is asking before reading it out.",
            """A laptop asks for its 48-digit BitLocker recovery key after a BIOS update, a new docking station or a motherboard swap.

1. **Verify the caller** the usual way (call back on the number in the directory, or a video call). The key unlocks the whole disk: never read it to someone you have not verified.
2. Ask for the **Key ID** shown on the blue screen (first 8 characters are enough).
3. In the Entra admin centre open **Devices › BitLocker keys**, search the Key ID and show the key.
4. Read it in groups of six digits. Record the request in the ticket (not the key itself).
5. After the laptop starts, ask the user to restart it once more; if it asks again, suspend and resume BitLocker from an elevated prompt (`manage-bde -protectors -disable C: -RebootCount 1`).""",
        ),
        zh=DemoText(
            "向用户提供 BitLocker 恢复密钥",
            "仅限客服：查找电脑的恢复密钥，以及在告知密钥前核实来电者身份。",
            """BIOS 升级、更换扩展坞或更换主板后，电脑会要求输入 48 位的 BitLocker 恢复密钥。

1. **核实来电者身份**（按通讯录中的号码回拨，或视频通话）。密钥可以解锁整块硬盘：绝不能告诉未经核实的人。
2. 请用户读出蓝屏上显示的 **密钥 ID**（前 8 位即可）。
3. 在 Entra 管理中心打开 **设备 › BitLocker 密钥**，搜索密钥 ID 并显示密钥。
4. 每六位一组读给用户。在工单中记录此次请求（不要记录密钥本身）。
5. 电脑启动后，请用户再重启一次；如果仍要求输入密钥，在管理员命令行中暂停并恢复 BitLocker（`manage-bde -protectors -disable C: -RebootCount 1`）。""",
        ),
    ),
    DemoTopic(
        key="new-starter",
        category="New account",
        tags=("account", "onboarding"),
        author="zhang.min",
        visibility="internal",
        en=DemoText(
            "Set up accounts for a new starter",
            "Agents only: the checklist from HR's new-starter request to a laptop on the desk.",
            """HR opens the request at least five working days before the start date.

1. Create the account in the directory from the HR record (never from an e-mail): name, department, manager, start date.
2. Add the department's groups: mailbox, Teams, shared drives. Copy them from the manager's request, not from a colleague's account.
3. Assign a laptop from stock in the asset register and enrol it in Intune under the new user.
4. Issue a temporary access pass valid from 08:00 on the first day, and send it to the **manager**, not the new starter.
5. Book 15 minutes on the first morning to set up the authenticator app together.

Resolve the ticket when the new starter has signed in once.""",
        ),
        zh=DemoText(
            "新员工账号开通流程",
            "仅限客服：从人事提交入职申请到电脑放到工位上的完整清单。",
            """人事部门会在入职日期前至少五个工作日提交申请。

1. 根据人事系统中的记录（而不是邮件）在目录中创建账号：姓名、部门、经理、入职日期。
2. 添加部门的权限组：邮箱、Teams、共享盘。以经理的申请为准，不要照抄某位同事的账号权限。
3. 从库存中分配一台电脑，在资产登记表中登记，并以新用户身份在 Intune 中注册。
4. 生成从入职当天 08:00 起生效的临时访问码，发给 **经理**，而不是新员工本人。
5. 预约入职第一天上午 15 分钟，一起设置身份验证器应用。

新员工成功登录一次后即可解决工单。""",
        ),
    ),
    DemoTopic(
        key="annual-leave",
        category="Business applications",
        tags=("hr",),
        author="li.wei",
        # Still being written: one in review, one a draft, so the review queue has work in it.
        en_status="in_review",
        zh_status="draft",
        en=DemoText(
            "Request annual leave in the HR system",
            "Book holiday and see how many days you have left.",
            """1. Sign in to the **HR portal** from the intranet.
2. Choose **Time off › Request**, pick the dates and the type (*Annual leave*, *Sick leave*, *Other*).
3. Your manager gets the request and approves it; you receive an e-mail.
4. Your remaining balance is on the **Time off** page; days carry over until the end of March.

Set your out-of-office reply in Outlook before you leave: **File › Automatic Replies**.""",
        ),
        zh=DemoText(
            "在人事系统申请年假",
            "申请休假并查看剩余假期天数。",
            """1. 从内网登录 **人事门户**。
2. 选择 **休假 › 申请**，选择日期和类型（*年假*、*病假*、*其他*）。
3. 经理收到申请并审批后，你会收到邮件通知。
4. 剩余天数显示在 **休假** 页面；年假可以保留到次年三月底。

休假前请在 Outlook 中设置自动回复：**文件 › 自动答复**。""",
        ),
    ),
]
